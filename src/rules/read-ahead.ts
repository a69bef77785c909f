/**
 * Reads a whole evaluation range in as few requests as the semantics allow, then answers the engine's
 * per-segment queries from memory. Exact, not approximate: Elastalert's segments are (a, b] slices of the same
 * filtered query, so the union read once and sliced by timestamp gives every segment the same documents.
 * - events: one scroll over (from, to], sliced per (a, b]. Per-event windows (spike, frequency, flatline
 *   without use_count_query) need every event's timestamp; there is no aggregation that keeps them.
 * - counts (use_count_query): one date_histogram whose buckets are exactly the engine's (a, b] segments
 *   (fixed_interval = segment, offset = from + 1 ms: ES buckets are [k, k + interval), and for millisecond
 *   `date` fields [a + 1 ms, b + 1 ms) is (a, b]). A query off that grid falls back to a real count.
 * What the engine asked for is unchanged; only how often Elasticsearch is asked.
 */
import type { RuleData, RuleEvent } from './evaluate-types';

/** Above this many matching documents the range is not held in memory; segments are queried one by one. */
export const READ_AHEAD_MAX_EVENTS = 500_000;
/** search.max_buckets is 65,535 by default (7.x and 8.x); stay under it. */
const MAX_BUCKETS = 60_000;

export interface ReadAheadOptions {
  from: number;
  to: number;
  /** The engine's count-query segment (the daemon's run_every); needed for the count histogram. */
  countStepMs?: number;
}

export interface ReadAheadStats {
  /** How the data was read: 'events-once', 'counts-histogram', or 'per-segment' (fallback). */
  eventsPath?: 'events-once' | 'per-segment';
  countsPath?: 'counts-histogram' | 'per-segment';
  fallbackCounts: number;
}

function firstAfter(events: RuleEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].ts <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function readAhead(data: RuleData, opts: ReadAheadOptions, stats: ReadAheadStats = { fallbackCounts: 0 }): RuleData & { stats: ReadAheadStats } {
  const { from, to } = opts;
  let all: Promise<RuleEvent[] | undefined> | undefined;
  let hist: Promise<Map<number, number> | undefined> | undefined;
  const inRange = (a: number, b: number) => a >= from && b <= to && a <= b;
  const step = opts.countStepMs;

  const loadEvents = async (): Promise<RuleEvent[] | undefined> => {
    // A count first so a huge range is not pulled into memory; on a real cluster it is one cheap request.
    const n = await data.count(from, to);
    if (n > READ_AHEAD_MAX_EVENTS) return undefined;
    return data.events(from, to);
  };
  const loadHistogram = async (): Promise<Map<number, number> | undefined> => {
    if (!data.countBuckets || !step || !(step > 0) || (to - from) / step > MAX_BUCKETS) return undefined;
    return data.countBuckets(from, to, step);
  };

  return {
    stats,
    async events(a, b) {
      if (!inRange(a, b)) return data.events(a, b);
      all ??= loadEvents();
      const got = await all;
      stats.eventsPath = got ? 'events-once' : 'per-segment';
      if (!got) return data.events(a, b);
      // Copies: the engine adds fields (compound keys) to what it is given.
      return got.slice(firstAfter(got, a), firstAfter(got, b)).map((e) => ({ ts: e.ts, fields: { ...e.fields } }));
    },
    async eventCount(a, b) {
      if (!inRange(a, b)) return data.count(a, b);
      all ??= loadEvents();
      const got = await all;
      if (!got) return data.count(a, b);
      return firstAfter(got, b) - firstAfter(got, a);
    },
    async count(a, b) {
      const onGrid = step !== undefined && inRange(a, b) && (a - from) % step === 0 && ((b - from) % step === 0 || b === to) && b - a <= step;
      if (onGrid) {
        hist ??= loadHistogram();
        const buckets = await hist;
        stats.countsPath = buckets ? 'counts-histogram' : 'per-segment';
        // Bucket keys are segment starts; the bucket covers (key, key + step].
        if (buckets) return buckets.get(a) ?? 0;
      }
      stats.fallbackCounts++;
      return data.count(a, b);
    },
    ...(data.terms && { terms: data.terms.bind(data) }),
  };
}
