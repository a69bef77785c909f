/**
 * RuleData over Elasticsearch, querying exactly as Elastalert 0.2.4 does for ES ≥ 5 (elastalert.py get_query,
 * after modify_rule_for_ES5 unwrapped `query:` filters):
 * `{bool: {filter: {bool: {must: [range(gt from, lte to), ...rule.filter]}}}}` on the rule's index, so a filter
 * the cluster refuses is refused here too. Events are read with search + scroll sorted by timestamp_field
 * (Elastalert reads one page of max_query_size; we read them all so a backtest is not silently truncated),
 * counts with `_count`, terms with a `counts` terms aggregation (min_doc_count from the rule, default 1), and
 * for read-ahead (src/rules/read-ahead.ts) per-segment counts with one date_histogram.
 * `use_strftime_index: true` names the indices per query as util.py format_index does (one per UTC day from
 * the query's start to its end, plus the day before with search_extra_index), so a query over one segment
 * touches only that day's index — on a real cluster and on the simulator alike.
 * Read-only: search, scroll, clear_scroll and count are the only calls.
 */
import type { Client } from '@elastic/elasticsearch';
import type { RuleConfig } from '../rules/rule-config';
import type { RuleData, RuleEvent, TermsBucket } from '../rules/evaluate-types';
import { lookupField } from '../rules/lookup-field';
import { maskSecrets } from '../rules/fill-placeholders';

// Elastalert pages by max_query_size (10,000 by default); fewer round trips than 1000 for a long backtest.
const PAGE = 5000;
const KEEP_ALIVE = '1m';

export interface RuleDataStats {
  searches: number;
  scrollPages: number;
  counts: number;
  termsQueries: number;
}

/** Elastalert's dt_to_ts: ISO with a Z; Elasticsearch parses it for date fields. */
const iso = (ms: number) => new Date(ms).toISOString();

export function ruleQuery(rule: RuleConfig, from: number, to: number): Record<string, unknown> {
  const raw = rule.props.filter;
  const listed = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  // elastalert.py modify_rule_for_ES5: on ES >= 5 a filter with a truthy `query` key is replaced by its value
  // (`- query: {query_string: …}` becomes `{query_string: …}`); anything else is sent as it is.
  const filters = listed.map((f) => (f && typeof f === 'object' && (f as Record<string, unknown>).query ? (f as Record<string, unknown>).query : f));
  return { bool: { filter: { bool: { must: [{ range: { [rule.timestampField]: { gt: iso(from), lte: iso(to) } } }, ...filters] } } } };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's strftime on a UTC datetime, for the directives index names use. */
export function strftimeUtc(pattern: string, ms: number): string {
  const d = new Date(ms);
  const doy = Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  const map: Record<string, string> = {
    Y: String(d.getUTCFullYear()), y: pad(d.getUTCFullYear() % 100), m: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()),
    H: pad(d.getUTCHours()), M: pad(d.getUTCMinutes()), S: pad(d.getUTCSeconds()), j: pad(doy, 3), b: MONTHS[d.getUTCMonth()], '%': '%',
  };
  return pattern.replace(/%(.)/g, (all, c: string) => {
    if (!(c in map)) throw new Error(`index pattern ${pattern}: %${c} is not supported in use_strftime_index names here (use %Y %y %m %d %j %H %M %S %b)`);
    return map[c];
  });
}

/** elastalert.py get_index / util.py format_index: the index expression for a query over (from, to]. */
export function indexFor(rule: RuleConfig, from: number, to: number): string {
  const index = String(rule.props.index);
  if (!rule.props.use_strftime_index) return index;
  const names = new Set<string>();
  // format_index walks whole UTC days from start's date to end's date, keeping start's time of day.
  const DAY = 86_400_000;
  const endDay = Math.floor(to / DAY);
  for (let t = from; Math.floor(t / DAY) <= endDay; t += DAY) names.add(strftimeUtc(index, t));
  if (rule.props.search_extra_index) {
    const n = names.size;
    for (let t = from - DAY; names.size === n; t -= DAY) names.add(strftimeUtc(index, t));
  }
  return [...names].join(',');
}

/** Turns a refusal by the cluster into a message naming the rule, what ES said and where to look. */
function refused(rule: RuleConfig, what: string, e: unknown): Error {
  const err = e as { meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string; root_cause?: { reason?: string }[] } } }; message?: string };
  const status = err.meta?.statusCode;
  const body = err.meta?.body?.error;
  const reason = body?.root_cause?.[0]?.reason ?? body?.reason ?? err.message ?? String(e);
  const hint =
    status === 400
      ? ' Elastalert sends the rule\'s `filter` as it is, so it would fail the same way: check the filter clauses (e.g. `- query: {query_string: {query: "Status: [500 TO 599]"}}`).'
      : status === 404
        ? ` No index matches \`${String(rule.props.index)}\` on this cluster: check the rule's index.`
        : '';
  const out = new Error(maskSecrets(`${rule.file}: Elasticsearch refused the ${what} (HTTP ${status ?? '?'}${body?.type ? ` ${body.type}` : ''}: ${reason}).${hint}`, rule.secretValues));
  (out as { statusCode?: number }).statusCode = status;
  return out;
}

export function ruleDataFor(es: Client, rule: RuleConfig, stats?: RuleDataStats): RuleData {
  const tsField = rule.timestampField;
  const toEvent = (h: { _id?: string; _index?: string; _type?: string; _source?: unknown }): RuleEvent => {
    // elastalert.py process_hits copies _id, _index and _type into the document the rule sees.
    const fields: Record<string, unknown> = { ...((h._source as Record<string, unknown>) ?? {}), _id: h._id, _index: h._index };
    if (h._type !== undefined) fields._type = h._type;
    const t = lookupField(fields, tsField);
    const ts = typeof t === 'number' ? t : Date.parse(String(t));
    if (!Number.isFinite(ts)) throw new Error(`${rule.file}: document ${h._id} in ${h._index} has no parseable ${tsField} (${JSON.stringify(t)}); set timestamp_field to the document's time field`);
    return { ts, fields };
  };
  // The rule's own documents in (from, to], counted only: no hits come back.
  const aggregate = (from: number, to: number, aggs: Record<string, unknown>) =>
    es.search({ index: indexFor(rule, from, to), ignore_unavailable: true, size: 0, query: ruleQuery(rule, from, to) as never, aggs: aggs as never });
  return {
    async events(from, to) {
      const out: RuleEvent[] = [];
      let scrollId: string | undefined;
      try {
        let res = await es.search({
          index: indexFor(rule, from, to),
          ignore_unavailable: true,
          scroll: KEEP_ALIVE,
          size: PAGE,
          query: ruleQuery(rule, from, to) as never,
          sort: [{ [tsField]: { order: 'asc' } }] as never,
        });
        if (stats) stats.searches++;
        for (;;) {
          scrollId = res._scroll_id;
          const hits = res.hits.hits;
          for (const h of hits) out.push(toEvent(h as never));
          if (hits.length < PAGE || !scrollId) break;
          res = await es.scroll({ scroll_id: scrollId, scroll: KEEP_ALIVE });
          if (stats) stats.scrollPages++;
        }
      } catch (e) {
        if ((e as Error).message?.startsWith(rule.file)) throw e;
        throw refused(rule, 'search', e);
      } finally {
        if (scrollId) await es.clearScroll({ scroll_id: scrollId }).catch(() => undefined);
      }
      // Sorted by the server already; a stable sort keeps it so if a shard answered out of order.
      return out.sort((a, b) => a.ts - b.ts);
    },

    async count(from, to) {
      try {
        const res = await es.count({ index: indexFor(rule, from, to), ignore_unavailable: true, query: ruleQuery(rule, from, to) as never });
        if (stats) stats.counts++;
        return res.count;
      } catch (e) {
        throw refused(rule, 'count query', e);
      }
    },

    async countBuckets(from, to, stepMs) {
      try {
        const res = await aggregate(from, to, {
          // [k + 1 ms, k + step + 1 ms) is (k, k + step] for millisecond dates: Elastalert's (gt, lte] segments.
          segments: { date_histogram: { field: tsField, fixed_interval: `${stepMs}ms`, offset: `${(((from + 1) % stepMs) + stepMs) % stepMs}ms`, min_doc_count: 1 } },
        });
        if (stats) stats.counts++;
        const buckets = (res.aggregations as { segments?: { buckets?: { key: number; doc_count: number }[] } } | undefined)?.segments?.buckets ?? [];
        return new Map(buckets.map((b) => [Number(b.key) - 1, b.doc_count]));
      } catch (e) {
        throw refused(rule, 'count histogram', e);
      }
    },

    async terms(from, to, field, size): Promise<TermsBucket[]> {
      try {
        const res = await aggregate(from, to, { counts: { terms: { field, size, min_doc_count: Number(rule.props.min_doc_count ?? 1) } } });
        if (stats) stats.termsQueries++;
        const agg = (res.aggregations as { counts?: { buckets?: TermsBucket[] } } | undefined)?.counts;
        return (agg?.buckets ?? []).map((b) => ({ key: b.key, doc_count: b.doc_count }));
      } catch (e) {
        throw refused(rule, 'terms query', e);
      }
    },
  };
}
