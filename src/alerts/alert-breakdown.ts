/**
 * "What moved": for an alert thread's first post, the rule's matching documents in the current window against
 * the reference window, by host, path and status (elastalert.alerts.breakdown), top 5 values per field by how
 * much they changed — queried by the bot itself on the alert's cluster with the official ES client.
 *
 * Two rounds of terms aggregations with the rule's own query (src/elasticsearch/rule-data.ts ruleQuery): the
 * top values of each window, then the exact count of every one of them in both windows (`include` lists them),
 * so "api-3: 4 → 57" is not a top-N artefact where api-3 was merely outside the reference window's top list.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Config } from '../config/schema';
import { createEsClient } from '../elasticsearch/client';
import { indexFor, ruleQuery } from '../elasticsearch/rule-data';
import type { RuleConfig } from '../rules';

export interface Window {
  from: number;
  to: number;
}

export interface Moved {
  key: string;
  reference: number;
  current: number;
}

export interface Breakdown {
  reference: Window;
  current: Window;
  totals: { reference: number; current: number };
  /** Per field, in config order: at most TOP values, biggest change first. */
  fields: { field: string; moved: Moved[] }[];
}

export interface BreakdownPort {
  /** undefined when `cluster` is not configured. */
  breakdown(cluster: string, rule: RuleConfig, windows: { reference: Window; current: Window }, fields: string[], qk?: { field: string; value: string }): Promise<Breakdown | undefined>;
}

export const TOP = 5;
/** Candidates per window and field: enough that a value that moved a lot is in one window's top list. */
const CANDIDATES = 20;

type Buckets = Record<string, { buckets?: { key: string | number; key_as_string?: string; doc_count: number }[] }>;

/** Biggest absolute change first; ties by the current count, then the key, so the order is stable. */
export function rankMoved(cur: Map<string, number>, ref: Map<string, number>, top = TOP): Moved[] {
  const keys = new Set([...cur.keys(), ...ref.keys()]);
  return [...keys]
    .map((key) => ({ key, reference: ref.get(key) ?? 0, current: cur.get(key) ?? 0 }))
    .filter((m) => m.current !== m.reference)
    .sort((a, b) => Math.abs(b.current - b.reference) - Math.abs(a.current - a.reference) || b.current - a.current || a.key.localeCompare(b.key))
    .slice(0, top);
}

export function esAlertBreakdown(config: Config): BreakdownPort {
  const clients = new Map<string, Client>();
  return {
    async breakdown(cluster, rule, w, fields, qk) {
      const c = config.clusters[cluster];
      if (!c) return undefined;
      let es = clients.get(cluster);
      if (!es) clients.set(cluster, (es = createEsClient(c.elasticsearch)));
      // A thread is one query_key value: its breakdown counts only that value's documents.
      const query = (win: Window) => ({ bool: { filter: [ruleQuery(rule, win.from, win.to), ...(qk ? [{ match_phrase: { [qk.field]: qk.value } }] : [])] } });
      const search = async (win: Window, aggs: Record<string, unknown>) => {
        const res = await es.search({ index: indexFor(rule, win.from, win.to), ignore_unavailable: true, size: 0, track_total_hits: true, query: query(win) as never, aggs: aggs as never });
        const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
        const byField = fields.map((_, i) => new Map(((res.aggregations as Buckets | undefined)?.[`f${i}`]?.buckets ?? []).map((b) => [String(b.key_as_string ?? b.key), b.doc_count] as const)));
        return { total, byField };
      };
      const tops = Object.fromEntries(fields.map((field, i) => [`f${i}`, { terms: { field, size: CANDIDATES } }]));
      const [curTop, refTop] = await Promise.all([search(w.current, tops), search(w.reference, tops)]);
      const candidates = fields.map((_, i) => [...new Set([...curTop.byField[i].keys(), ...refTop.byField[i].keys()])]);
      const exact = Object.fromEntries(
        fields.flatMap((field, i) => (candidates[i].length ? [[`f${i}`, { terms: { field, size: candidates[i].length, include: candidates[i] } }]] : [])),
      );
      const [cur, ref] = Object.keys(exact).length ? await Promise.all([search(w.current, exact), search(w.reference, exact)]) : [curTop, refTop];
      return {
        ...w,
        totals: { current: curTop.total, reference: refTop.total },
        fields: fields.map((field, i) => ({ field, moved: rankMoved(cur.byField[i], ref.byField[i]) })),
      };
    },
  };
}
