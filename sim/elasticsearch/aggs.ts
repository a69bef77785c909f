import { parsingError } from './errors';
import { getField } from './settings';
import { intervalMs } from './time-units';

type Doc = Record<string, unknown>;
type AggSpec = Record<string, unknown>;

const fieldName = (f: string) => (f.endsWith('.keyword') ? f.slice(0, -'.keyword'.length) : f);
const valuesOf = (doc: Doc, field: string): unknown[] => {
  const v = getField(doc, fieldName(field));
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
};
const toMs = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v)));

function calendarFloor(t: number, unit: 'M' | 'y'): number {
  const d = new Date(t);
  return unit === 'y' ? Date.UTC(d.getUTCFullYear(), 0) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth());
}
function calendarNext(t: number, unit: 'M' | 'y'): number {
  const d = new Date(t);
  return unit === 'y' ? Date.UTC(d.getUTCFullYear() + 1, 0) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1);
}

/** Runs the `aggs` of a search over the matching documents: terms, date_histogram and simple metrics. */
export function aggregate(aggs: Record<string, AggSpec>, docs: Doc[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(aggs)) {
    const sub = (spec.aggs ?? spec.aggregations) as Record<string, AggSpec> | undefined;
    const type = Object.keys(spec).find((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
    if (!type) throw parsingError(`Missing definition for aggregation [${name}]`);
    const body = spec[type] as Record<string, unknown>;
    const field = String(body.field ?? '');
    const withSub = (bucketDocs: Doc[]) => (sub ? aggregate(sub, bucketDocs) : {});
    switch (type) {
      case 'terms': {
        const groups = new Map<string, { key: unknown; docs: Doc[] }>();
        for (const d of docs)
          for (const v of new Set(valuesOf(d, field))) {
            const k = String(v);
            if (!groups.has(k)) groups.set(k, { key: v, docs: [] });
            groups.get(k)!.docs.push(d);
          }
        const size = Number(body.size ?? 10);
        const sorted = [...groups.values()].sort((a, b) => b.docs.length - a.docs.length || String(a.key).localeCompare(String(b.key)));
        const shown = sorted.slice(0, size);
        out[name] = {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: sorted.slice(size).reduce((n, g) => n + g.docs.length, 0),
          buckets: shown.map((g) => ({ key: g.key, doc_count: g.docs.length, ...withSub(g.docs) })),
        };
        break;
      }
      case 'date_histogram': {
        const { ms, calendar } = intervalMs(body.fixed_interval as string | undefined, (body.calendar_interval ?? body.interval) as string | undefined);
        const floor = (t: number) => (calendar ? calendarFloor(t, calendar) : Math.floor(t / ms) * ms);
        const next = (t: number) => (calendar ? calendarNext(t, calendar) : t + ms);
        const buckets = new Map<number, Doc[]>();
        for (const d of docs)
          for (const v of valuesOf(d, field)) {
            const t = toMs(v);
            if (Number.isNaN(t)) continue;
            const k = floor(t);
            if (!buckets.has(k)) buckets.set(k, []);
            buckets.get(k)!.push(d);
          }
        const minDocCount = Number(body.min_doc_count ?? 0);
        const keys = [...buckets.keys()].sort((a, b) => a - b);
        const bounds = body.extended_bounds as { min?: unknown; max?: unknown } | undefined;
        let lo = keys[0];
        let hi = keys[keys.length - 1];
        if (bounds?.min !== undefined) lo = Math.min(lo ?? Infinity, floor(toMs(bounds.min)));
        if (bounds?.max !== undefined) hi = Math.max(hi ?? -Infinity, floor(toMs(bounds.max)));
        const list: unknown[] = [];
        if (lo !== undefined && hi !== undefined)
          for (let t = lo; t <= hi; t = next(t)) {
            const bucketDocs = buckets.get(t) ?? [];
            if (bucketDocs.length < minDocCount) continue;
            list.push({ key_as_string: new Date(t).toISOString(), key: t, doc_count: bucketDocs.length, ...withSub(bucketDocs) });
          }
        out[name] = { buckets: list };
        break;
      }
      case 'value_count':
        out[name] = { value: docs.reduce((n, d) => n + valuesOf(d, field).length, 0) };
        break;
      case 'cardinality':
        out[name] = { value: new Set(docs.flatMap((d) => valuesOf(d, field).map(String))).size };
        break;
      case 'avg':
      case 'sum':
      case 'min':
      case 'max': {
        const nums = docs.flatMap((d) => valuesOf(d, field)).map(Number).filter((n) => !Number.isNaN(n));
        const sum = nums.reduce((a, b) => a + b, 0);
        const value =
          type === 'sum' ? sum : !nums.length ? null : type === 'avg' ? sum / nums.length : type === 'min' ? Math.min(...nums) : Math.max(...nums);
        out[name] = { value };
        break;
      }
      default:
        throw parsingError(`Unknown aggregation type [${type}] did you mean [terms]?`);
    }
  }
  return out;
}
