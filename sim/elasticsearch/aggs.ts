import { docDate, parseDateValue } from './date-values';
import { EsError, illegalArgument, parsingError } from './errors';
import { NUMERIC, resolveField, sourceValues, type FieldInfo } from './field-types';
import { parseDuration } from './time-units';
import { majorOf } from './versions';

type Doc = Record<string, unknown>;
type AggSpec = Record<string, unknown>;

export interface AggContext {
  now: number;
  /** Shard of each document (same order as docs): terms counts per shard first, as Elasticsearch does. */
  shards?: string[];
  /** Shards the search ran on (a single shard returns exact terms counts). */
  shardCount?: number;
  version?: string;
  field?: (name: string) => FieldInfo;
}

type Item = { doc: Doc; shard: string };

/** Aggregation errors are shard failures: 400 search_phase_execution_exception with the cause as root cause. */
function shardFailure(type: string, reason: string): EsError {
  const cause = { type, reason };
  return new EsError(400, 'search_phase_execution_exception', 'all shards failed', { phase: 'query', grouped: true, failed_shards: [] }, cause, cause);
}

const fielddataRefused = (field: string) =>
  shardFailure(
    'illegal_argument_exception',
    `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
  );

const DAY = 86_400_000;

/** Calendar-aware rounding in UTC (time_zone is not modelled): weeks start on Monday, months/quarters/years on the 1st. */
type Calendar = 'm' | 'h' | 'd' | 'w' | 'M' | 'q' | 'y';
const CALENDAR_NAMES: Record<string, Calendar> = {
  minute: 'm', '1m': 'm', hour: 'h', '1h': 'h', day: 'd', '1d': 'd', week: 'w', '1w': 'w',
  month: 'M', '1M': 'M', quarter: 'q', '1q': 'q', year: 'y', '1y': 'y',
};

function calendarFloor(t: number, u: Calendar): number {
  const d = new Date(t);
  switch (u) {
    case 'm': return Math.floor(t / 60_000) * 60_000;
    case 'h': return Math.floor(t / 3_600_000) * 3_600_000;
    case 'd': return Math.floor(t / DAY) * DAY;
    case 'w': {
      const day = Math.floor(t / DAY) * DAY;
      return day - ((d.getUTCDay() + 6) % 7) * DAY;
    }
    case 'M': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth());
    case 'q': return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3);
    case 'y': return Date.UTC(d.getUTCFullYear(), 0);
  }
}
function calendarNext(t: number, u: Calendar): number {
  const d = new Date(t);
  switch (u) {
    case 'm': return t + 60_000;
    case 'h': return t + 3_600_000;
    case 'd': return t + DAY;
    case 'w': return t + 7 * DAY;
    case 'M': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1);
    case 'q': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3);
    case 'y': return Date.UTC(d.getUTCFullYear() + 1, 0);
  }
}

function histogramInterval(body: Record<string, unknown>, version: string | undefined): { floor: (t: number) => number; next: (t: number) => number } {
  const offsetRaw = body.offset;
  const offset = offsetRaw === undefined ? 0 : typeof offsetRaw === 'number' ? offsetRaw : (String(offsetRaw).startsWith('-') ? -1 : 1) * parseDuration(String(offsetRaw).replace(/^[+-]/, ''), 'offset');
  let cal: Calendar | undefined;
  let fixed: number | undefined;
  if (body.fixed_interval !== undefined) fixed = parseDuration(body.fixed_interval, 'date_histogram.fixedInterval');
  else if (body.calendar_interval !== undefined) {
    cal = CALENDAR_NAMES[String(body.calendar_interval)];
    if (!cal) throw illegalArgument(`The supplied interval [${String(body.calendar_interval)}] could not be parsed as a calendar interval.`);
  } else if (body.interval !== undefined) {
    // `interval` was deprecated in 7.2 (calendar units read as calendar, others as fixed) and removed in 8.0;
    // the exact 8.x wording is not documented: the simulator answers as the parser does for an unknown field.
    if (version && majorOf(version) >= 8) throw new EsError(400, 'x_content_parse_exception', '[date_histogram] unknown field [interval]');
    cal = CALENDAR_NAMES[String(body.interval)];
    if (!cal) fixed = typeof body.interval === 'number' ? body.interval : parseDuration(body.interval, 'date_histogram.interval');
  } else throw illegalArgument('Invalid interval specified, must be non-null and non-empty');
  if (cal) {
    const c = cal;
    return { floor: (t) => calendarFloor(t - offset, c) + offset, next: (t) => calendarNext(t - offset, c) + offset };
  }
  const ms = fixed!;
  return { floor: (t) => Math.floor((t - offset) / ms) * ms + offset, next: (t) => t + ms };
}

type Order = Array<{ key: string; desc: boolean }>;
function parseOrder(raw: unknown, dflt: Order): Order {
  if (raw === undefined) return dflt;
  return (Array.isArray(raw) ? raw : [raw]).flatMap((o) => Object.entries(o as Record<string, string>).map(([key, dir]) => ({ key: key === '_term' ? '_key' : key, desc: dir === 'desc' })));
}

/** Term keys as Elasticsearch reports them: numbers for numeric fields, epoch millis (+ key_as_string) for dates, 1/0 for booleans. */
function termKey(f: FieldInfo, v: unknown): { key: string | number; key_as_string?: string } | undefined {
  if (NUMERIC.has(f.type)) return typeof v === 'number' || !Number.isNaN(Number(v)) ? { key: Number(v) } : undefined;
  if (f.type === 'date') {
    const t = docDate(v);
    return t === undefined ? undefined : { key: t, key_as_string: new Date(t).toISOString() };
  }
  if (f.type === 'boolean') {
    const b = v === true || v === 'true';
    return { key: b ? 1 : 0, key_as_string: String(b) };
  }
  return { key: String(v) };
}

/** Runs the `aggs` of a search over the matching documents: terms, date_histogram and simple metrics. */
export function aggregate(aggs: Record<string, AggSpec>, docs: Doc[], ctx: AggContext = { now: Date.now() }): Record<string, unknown> {
  return run(aggs, docs.map((doc, i) => ({ doc, shard: ctx.shards?.[i] ?? '0' })), ctx);
}

function run(aggs: Record<string, AggSpec>, items: Item[], ctx: AggContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fieldOf = (name: string) => ctx.field?.(name) ?? resolveField(undefined, name, items[0]?.doc ?? {});
  for (const [name, spec] of Object.entries(aggs)) {
    const sub = (spec.aggs ?? spec.aggregations) as Record<string, AggSpec> | undefined;
    const type = Object.keys(spec).find((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
    if (!type) throw parsingError(`Missing definition for aggregation [${name}]`);
    const body = spec[type] as Record<string, unknown>;
    const withSub = (bucket: Item[]) => (sub ? run(sub, bucket, ctx) : {});
    switch (type) {
      case 'terms':
        out[name] = terms(body, items, ctx, fieldOf, withSub);
        break;
      case 'date_histogram': {
        const f = fieldOf(String(body.field));
        const { floor, next } = histogramInterval(body, ctx.version);
        const buckets = new Map<number, Item[]>();
        for (const it of items)
          for (const v of sourceValues(it.doc, f)) {
            const t = docDate(v);
            if (t === undefined) continue;
            const k = floor(t);
            if (!buckets.has(k)) buckets.set(k, []);
            if (!buckets.get(k)!.includes(it)) buckets.get(k)!.push(it);
          }
        const minDocCount = Number(body.min_doc_count ?? 0);
        const keys = [...buckets.keys()].sort((a, b) => a - b);
        const bounds = body.extended_bounds as { min?: unknown; max?: unknown } | undefined;
        let lo: number | undefined = keys[0];
        let hi: number | undefined = keys[keys.length - 1];
        // extended_bounds only adds empty buckets, so it matters with min_doc_count 0 only.
        if (minDocCount === 0 && bounds?.min !== undefined) lo = Math.min(lo ?? Infinity, floor(parseDateValue(bounds.min, ctx.now)));
        if (minDocCount === 0 && bounds?.max !== undefined) hi = Math.max(hi ?? -Infinity, floor(parseDateValue(bounds.max, ctx.now, true)));
        const list: Array<Record<string, unknown>> = [];
        if (lo !== undefined && hi !== undefined)
          for (let t = lo; t <= hi; t = next(t)) {
            const bucket = buckets.get(t) ?? [];
            if (bucket.length < Math.max(minDocCount, 0) || (minDocCount > 0 && !bucket.length)) continue;
            list.push({ key_as_string: new Date(t).toISOString(), key: t, doc_count: bucket.length, ...withSub(bucket) });
          }
        const order = parseOrder(body.order, [{ key: '_key', desc: false }]);
        if (order[0]?.key === '_count') list.sort((a, b) => (order[0].desc ? -1 : 1) * ((a.doc_count as number) - (b.doc_count as number)) || (a.key as number) - (b.key as number));
        else if (order[0]?.desc) list.reverse();
        out[name] = body.keyed ? { buckets: Object.fromEntries(list.map((b) => [b.key_as_string, b])) } : { buckets: list };
        break;
      }
      case 'value_count':
        out[name] = { value: items.reduce((n, it) => n + sourceValues(it.doc, fieldOf(String(body.field))).length, 0) };
        break;
      case 'cardinality':
        out[name] = { value: new Set(items.flatMap((it) => sourceValues(it.doc, fieldOf(String(body.field))).map(String))).size };
        break;
      case 'avg':
      case 'sum':
      case 'min':
      case 'max': {
        const f = fieldOf(String(body.field));
        const nums = items
          .flatMap((it) => sourceValues(it.doc, f))
          .map((v) => (f.type === 'date' ? docDate(v) ?? NaN : Number(v)))
          .filter((n) => !Number.isNaN(n));
        const sum = nums.reduce((a, b) => a + b, 0);
        const value = type === 'sum' ? sum : !nums.length ? null : type === 'avg' ? sum / nums.length : type === 'min' ? Math.min(...nums) : Math.max(...nums);
        out[name] = { value, ...(f.type === 'date' && value !== null ? { value_as_string: new Date(value).toISOString() } : {}) };
        break;
      }
      default:
        throw parsingError(`Unknown aggregation type [${type}] did you mean [terms]?`);
    }
  }
  return out;
}

/**
 * terms, shard by shard as Elasticsearch runs it: each shard returns its top `shard_size` terms (size * 1.5 + 10,
 * or `size` when the search has one shard), the coordinator sums them and keeps `size`. So counts can be
 * approximate across shards, and doc_count_error_upper_bound says by how much (the sum of each shard's smallest
 * returned count, for shards that had more terms than they returned; 0 when ordered by key; -1 when it cannot be
 * computed). sum_other_doc_count counts the values in no returned bucket.
 */
function terms(
  body: Record<string, unknown>,
  items: Item[],
  ctx: AggContext,
  fieldOf: (n: string) => FieldInfo,
  withSub: (bucket: Item[]) => Record<string, unknown>,
): Record<string, unknown> {
  const f = fieldOf(String(body.field));
  if (f.type === 'text') throw fielddataRefused(f.name);
  const size = Number(body.size ?? 10);
  const shardCount = ctx.shardCount ?? new Set(items.map((i) => i.shard)).size;
  const shardSize = Number(body.shard_size ?? (shardCount <= 1 ? size : Math.floor(size * 1.5 + 10)));
  const minDocCount = Number(body.min_doc_count ?? 1);
  const order = parseOrder(body.order, [{ key: '_count', desc: true }, { key: '_key', desc: false }]);
  const keyOrder = order[0].key === '_key';
  const countDesc = order[0].key === '_count' && order[0].desc;
  type B = { key: string | number; key_as_string?: string; items: Item[] };
  const cmp = (a: { key: string | number; n: number; items?: Item[] }, b: { key: string | number; n: number; items?: Item[] }) => {
    for (const o of order) {
      let d: number;
      if (o.key === '_count') d = a.n - b.n;
      else if (o.key === '_key') d = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      else {
        const metric = (x: typeof a) => {
          const [agg, prop = 'value'] = o.key.split('.');
          const r = (withSub(x.items ?? [])[agg] ?? {}) as Record<string, unknown>;
          return Number(r[prop] ?? 0);
        };
        d = metric(a) - metric(b);
      }
      if (d) return o.desc ? -d : d;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  };
  const include = body.include;
  const exclude = body.exclude;
  const allowed = (k: string) =>
    (include === undefined || (Array.isArray(include) ? include.map(String).includes(k) : new RegExp(`^(?:${String(include)})$`).test(k))) &&
    (exclude === undefined || !(Array.isArray(exclude) ? exclude.map(String).includes(k) : new RegExp(`^(?:${String(exclude)})$`).test(k)));

  // Per shard: term -> bucket.
  const perShard = new Map<string, Map<string, B>>();
  let totalValues = 0;
  for (const it of items) {
    const vals = sourceValues(it.doc, f);
    const list = vals.length ? vals : body.missing !== undefined ? [body.missing] : [];
    const seen = new Set<string>();
    for (const v of list) {
      const k = termKey(f, v);
      if (!k || !allowed(String(k.key_as_string ?? k.key))) continue;
      const id = String(k.key);
      if (seen.has(id)) continue;
      seen.add(id);
      totalValues++;
      if (!perShard.has(it.shard)) perShard.set(it.shard, new Map());
      const m = perShard.get(it.shard)!;
      if (!m.has(id)) m.set(id, { ...k, items: [] });
      m.get(id)!.items.push(it);
    }
  }
  let error = 0;
  const merged = new Map<string, B>();
  for (const m of perShard.values()) {
    const sorted = [...m.values()].map((b) => ({ ...b, n: b.items.length })).sort(cmp);
    const returned = sorted.slice(0, shardSize);
    if (error >= 0 && sorted.length > shardSize && !keyOrder) error = countDesc ? error + returned[returned.length - 1].n : -1;
    for (const b of returned) {
      const id = String(b.key);
      if (!merged.has(id)) merged.set(id, { key: b.key, key_as_string: b.key_as_string, items: [] });
      merged.get(id)!.items.push(...b.items);
    }
  }
  const final = [...merged.values()].map((b) => ({ ...b, n: b.items.length })).filter((b) => b.n >= minDocCount).sort(cmp).slice(0, size);
  const shown = final.reduce((n, b) => n + b.n, 0);
  return {
    doc_count_error_upper_bound: perShard.size <= 1 ? 0 : error,
    sum_other_doc_count: totalValues - shown,
    buckets: final.map((b) => ({ key: b.key, ...(b.key_as_string !== undefined ? { key_as_string: b.key_as_string } : {}), doc_count: b.n, ...withSub(b.items) })),
  };
}
