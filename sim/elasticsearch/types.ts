import type { SimNodeSpec } from '../cluster-control';

/** Runtime-tunable behaviour of the simulated cluster. Every field may be changed while the cluster runs. */
export interface EsKnobs {
  /** Shard recovery/relocation speed, per recovering copy. */
  recoveryBytesPerSec: number;
  /** Clock ms between a node process starting and it joining the cluster. */
  joinDelayMs: number;
  /** Clock ms from losing the master to electing a new one (when a quorum is available). */
  electionDelayMs: number;
  /** Extra clock ms before a refresh becomes visible to searches. */
  refreshLagMs: number;
  /** Every other read through the load balancer sees the searchable view as it was this many clock ms ago. */
  staleReadMs: number;
  /** Documents per clock second a reindex task copies (per slice). */
  reindexDocsPerSec: number;
  /** Node names that start but never join. */
  neverJoin: Set<string>;
  /** Injected HTTP faults, matched in order against each request. */
  faults: EsFault[];
}

export interface EsFault {
  method?: string;
  path: RegExp;
  /** Matched against the request's decoded query string (`?filter_path=…`); any query when absent. */
  query?: RegExp;
  status: number | 'timeout';
  /**
   * The JSON body answered with `status` instead of a `simulated_fault_exception` error: an answer of another
   * shape, as a later Elasticsearch version may give (with status 200, say).
   */
  body?: unknown;
  /** Number of requests to fault; unlimited when absent. */
  times?: number;
}

export const defaultKnobs = (): EsKnobs => ({
  recoveryBytesPerSec: 40 * 1024 * 1024,
  joinDelayMs: 5_000,
  electionDelayMs: 3_000,
  refreshLagMs: 0,
  staleReadMs: 0,
  reindexDocsPerSec: 5_000,
  neverJoin: new Set(),
  faults: [],
});

/**
 * Ground truth for assertions. `maxNodesOut` is the largest number of departed nodes not yet replaced:
 * every departure of a joined node adds one, every join while some are outstanding takes one away.
 */
export interface Observations {
  everRed: boolean;
  maxNodesOut: number;
  nodesOutNow: number;
  lostDocs: number;
}

export type HealthStatus = 'green' | 'yellow' | 'red';

export interface SimNode {
  spec: SimNodeSpec;
  id: string;
  state: 'starting' | 'joined';
  startedAt: number;
  joinedAt?: number;
}

export type ShardState = 'UNASSIGNED' | 'INITIALIZING' | 'STARTED' | 'RELOCATING';

export type UnassignedReason = 'INDEX_CREATED' | 'NODE_LEFT' | 'REPLICA_ADDED' | 'PRIMARY_FAILED';

export interface ShardCopy {
  primary: boolean;
  state: ShardState;
  /** Node name holding (or recovering) the copy. */
  node?: string;
  /** RELOCATING: the node the copy is moving to. */
  relocatingTo?: string;
  /** Bytes recovered so far while INITIALIZING or RELOCATING. */
  recovered: number;
  /** Clock time recovery may finish at the earliest (a fixed per-recovery overhead). */
  minDoneAt: number;
  unassigned?: { reason: UnassignedReason; at: number; details?: string; delayedUntil?: number };
}

export interface StoredDoc {
  id: string;
  source: Record<string, unknown>;
  version: number;
  seqNo: number;
}

export interface IndexTemplate {
  name: string;
  index_patterns: string[];
  priority: number;
  template: { settings?: Record<string, unknown>; mappings?: Record<string, unknown>; aliases?: Record<string, unknown> };
  composed_of?: string[];
  version?: number;
  _meta?: Record<string, unknown>;
}
