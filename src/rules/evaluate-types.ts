/** Shared types of the evaluation engine. Times are epoch milliseconds (UTC); durations are milliseconds. */

export type SpikeType = 'up' | 'down' | 'both';

/** One document as the rule sees it: `_source` with the timestamp already parsed. */
export interface RuleEvent {
  /** Epoch ms of the rule's timestamp_field. */
  ts: number;
  /** The document's fields (`_source`, plus `_id`/`_index` when known). */
  fields: Record<string, unknown>;
}

/** A terms bucket as Elastalert's get_hits_terms returns it. */
export interface TermsBucket {
  key: unknown;
  doc_count: number;
}

/**
 * Where evaluation reads data from — the ES adapter implements it against the rule's index and filters;
 * tests implement it over arrays. Ranges are (from, to]: Elastalert queries `gt` start, `lte` end.
 */
export interface RuleData {
  /** Matching documents with from < ts ≤ to, oldest first. */
  events(from: number, to: number): Promise<RuleEvent[]> | RuleEvent[];
  /** Number of matching documents with from < ts ≤ to (use_count_query). */
  count(from: number, to: number): Promise<number> | number;
  /**
   * How many documents events(from, to) would return, where that is cheaper than reading them (read-ahead
   * answers it from memory). The daemon model counts a re-read of already-seen documents into num_hits only.
   */
  eventCount?(from: number, to: number): Promise<number> | number;
  /** Counts per query_key value with from < ts ≤ to (use_terms_query). */
  terms?(from: number, to: number, field: string, size: number): Promise<TermsBucket[]> | TermsBucket[];
  /**
   * Counts of matching documents in (from + k·step, from + (k+1)·step] ∩ (from, to], keyed by the segment
   * start from + k·step, in one request (read-ahead of use_count_query). Absent keys are zero.
   */
  countBuckets?(from: number, to: number, stepMs: number): Promise<Map<number, number>>;
}

/** A match as the rule type produced it (before realert), the dictionary Elastalert alerts with. */
export interface RawMatch {
  /** Epoch ms of the match's timestamp. */
  ts: number;
  /** The match dictionary; its timestamp field is already the ISO string Elastalert puts there. */
  match: Record<string, unknown>;
  /** The query_key value this match belongs to ('all' without query_key). */
  key: string;
}

/** A rule type's state machine, fed exactly as ElastAlerter.run_query feeds a RuleType. */
export interface RuleTypeEngine {
  addData(events: RuleEvent[]): void;
  addCountData(ts: number, count: number): void;
  addTermsData(ts: number, buckets: TermsBucket[]): void;
  garbageCollect(ts: number): void;
  /** Matches produced since the last call, oldest first. */
  takeMatches(): RawMatch[];
}
