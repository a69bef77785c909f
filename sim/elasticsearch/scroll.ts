import type { SimCluster } from './cluster';
import { EsError, illegalArgument } from './errors';

/**
 * Scroll contexts: the initial search's complete, sorted result list, served page by page. Like a real scroll
 * it is a snapshot: writes after the initial search are not seen. A context lives for its keep-alive (renewed
 * by every scroll request that passes `scroll`) in clock time; Elasticsearch frees expired contexts from a reaper
 * that runs every `search.keep_alive_interval` (1m), so a real context may outlive its keep-alive a little —
 * the documentation promises only that it lives at least that long.
 */
export interface ScrollContext {
  num: number;
  hits: unknown[];
  pos: number;
  size: number;
  keepAliveMs: number;
  expiresAt: number;
  total: { value: number; relation: 'eq' | 'gte' };
  shards: Record<string, unknown>;
}

const stores = new WeakMap<SimCluster, { next: number; open: Map<number, ScrollContext> }>();
const storeOf = (c: SimCluster) => {
  let s = stores.get(c);
  if (!s) stores.set(c, (s = { next: 1, open: new Map() }));
  return s;
};

/** Scroll ids are opaque base64 (URL-safe alphabet, padded) like Elasticsearch's; this one encodes the context number. */
const encode = (num: number) => Buffer.from(`queryThenFetch\u0001${num}\u0001elk-sim`).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

function decode(id: string): number {
  const raw = Buffer.from(id.replace(/=+$/, ''), 'base64url').toString('utf8');
  const m = /^queryThenFetch\u0001(\d+)\u0001elk-sim$/.exec(raw);
  if (!m) throw new EsError(400, 'illegal_argument_exception', 'Cannot parse scroll id', {}, { type: 'array_index_out_of_bounds_exception', reason: null as unknown as string });
  return Number(m[1]);
}

const missing = (num: number) => {
  const cause = { type: 'search_context_missing_exception', reason: `No search context found for id [${num}]` };
  return new EsError(404, 'search_phase_execution_exception', 'all shards failed', { phase: 'query', grouped: true, failed_shards: [{ shard: -1, index: null, reason: cause }] }, cause, cause);
};

function sweep(c: SimCluster): void {
  const now = c.clock.now();
  for (const [n, ctx] of storeOf(c).open) if (ctx.expiresAt <= now) storeOf(c).open.delete(n);
}

export function openScroll(c: SimCluster, ctx: Omit<ScrollContext, 'num' | 'expiresAt'>): { id: string; context: ScrollContext } {
  sweep(c);
  const s = storeOf(c);
  const num = s.next++;
  const context: ScrollContext = { ...ctx, num, expiresAt: c.clock.now() + ctx.keepAliveMs };
  s.open.set(num, context);
  return { id: encode(num), context };
}

export function continueScroll(c: SimCluster, id: string, keepAliveMs: number | undefined): ScrollContext {
  if (!id) throw illegalArgument('Validation Failed: 1: scrollId is missing;');
  const num = decode(id);
  sweep(c);
  const ctx = storeOf(c).open.get(num);
  if (!ctx) throw missing(num);
  if (keepAliveMs !== undefined) ctx.keepAliveMs = keepAliveMs;
  ctx.expiresAt = c.clock.now() + ctx.keepAliveMs;
  return ctx;
}

/** Frees the named contexts (or all for `_all`); returns how many were open. */
export function clearScrolls(c: SimCluster, ids: string[]): number {
  sweep(c);
  const s = storeOf(c);
  if (ids.includes('_all')) {
    const n = s.open.size;
    s.open.clear();
    return n;
  }
  let freed = 0;
  for (const id of ids) if (s.open.delete(decode(id))) freed++;
  return freed;
}

export const scrollIdOf = (num: number) => encode(num);
