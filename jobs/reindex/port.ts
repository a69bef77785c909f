/** What the reindex job needs from Elasticsearch, and nothing more. The adapter lives in src/elasticsearch. */
export type Health = 'green' | 'yellow' | 'red';

export interface IndexFacts {
  name: string;
  health?: Health;
  /** open / close */
  status?: string;
  docs: number;
  bytes: number;
  /** From the same settings read as `hidden`: what the estimate sizes each index's rebuild by. */
  shards?: number;
  replicas?: number;
  hidden: boolean;
  system: boolean;
}

export interface AliasBinding {
  alias: string;
  isWriteIndex?: boolean;
  filter?: unknown;
  indexRouting?: string;
  searchRouting?: string;
  isHidden?: boolean;
  /** No explicit flag and the alias has this one index: writes through the alias land here. */
  soleMember?: boolean;
}

export interface IndexSettings {
  shards: number;
  replicas: number;
  /** undefined = the cluster default */
  refreshInterval?: string;
  blocksWrite: boolean;
}

export interface TemplateChoice {
  /** Name of the composable template that wins for this index name; undefined when none matches. */
  name?: string;
  mappings: Record<string, unknown>;
}

/** One row of `_cat/shards`: a single copy of one shard. */
export interface ShardCopyRow {
  shard: number;
  primary: boolean;
  /** STARTED, INITIALIZING, RELOCATING, UNASSIGNED */
  state: string;
  node?: string;
  unassignedReason?: string;
}

export interface CountRead {
  count: number;
  /** `_shards.failed === 0 && successful === total` */
  allShards: boolean;
  shards: string;
}

/**
 * Which job made an index: a token derived from the job id (see owner-token.ts). The adapter records it as a
 * hidden alias on the index, because `_clone` does not copy aliases (so a clone is marked explicitly) and an
 * alias, unlike mapping `_meta`, can be taken off again once the rebuilt index is handed back.
 */
export type OwnerToken = string;

export interface CopyStatus {
  total: number;
  created: number;
  updated: number;
  versionConflicts: number;
}

export type TaskState =
  | { kind: 'running'; status: CopyStatus; runningMs: number }
  | { kind: 'completed'; status: CopyStatus; failures: string[]; error?: string }
  /** The task is unknown to the cluster: its node left before the result was stored. */
  | { kind: 'missing' };

export interface ReindexStart {
  source: string;
  dest: string;
  slices?: number | 'auto';
  requestsPerSecond?: number;
  /** Only for a restarted copy: documents the lost task already wrote come back as version conflicts. */
  proceedOnConflicts?: boolean;
}

/** indices.recovery.max_bytes_per_sec in force: bytes per second per node, 0 or less unthrottled. */
export interface RecoveryThrottle {
  maxBytesPerSec: number;
  throttleFrom: 'transient' | 'persistent' | 'default';
}

export interface ReindexPort {
  clusterVersion(): Promise<string>;
  /** GET _cluster/settings?include_defaults, for the choice between a clone and a second copy. */
  recoveryThrottle(): Promise<RecoveryThrottle>;
  /** Nodes with a data role (_cat/nodes), over which a clone's replicas recover. */
  dataNodeCount(): Promise<number>;
  /** Every index the expression matches, hidden and closed ones included, so they can be refused by name. */
  resolve(expression: string): Promise<IndexFacts[]>;
  /** Names matching a wildcard pattern (open, non-hidden), for time-series detection. */
  listNames(pattern: string): Promise<string[]>;
  aliasesOf(index: string): Promise<AliasBinding[]>;
  settingsOf(index: string): Promise<IndexSettings>;
  templateFor(index: string): Promise<TemplateChoice>;
  ownerOf(index: string): Promise<OwnerToken | undefined>;
  removeOwner(index: string, owner: OwnerToken): Promise<void>;
  exists(index: string): Promise<boolean>;
  health(index: string): Promise<Health | undefined>;
  /** Waits (long poll, clock time) for the index to be green; returns the health it reached. */
  waitForGreen(index: string, timeoutMs: number): Promise<Health | undefined>;
  /** Every shard copy of the index as the shard table lists it; empty when the index does not exist. */
  shardCopies(index: string): Promise<ShardCopyRow[]>;
  count(index: string): Promise<CountRead>;
  refresh(index: string): Promise<void>;
  setWriteBlock(index: string, blocked: boolean): Promise<void>;
  createIndex(name: string, spec: { shards: number; replicas: number; mappings: Record<string, unknown>; owner: OwnerToken }): Promise<void>;
  startReindex(req: ReindexStart): Promise<string>;
  /** A running reindex task from source to dest, found by its description (a start whose id we failed to record). */
  findReindexTask(source: string, dest: string): Promise<string | undefined>;
  /** Long poll: returns when the task finishes or `timeoutMs` (clock time) passes. */
  waitForTask(taskId: string, timeoutMs: number): Promise<TaskState>;
  cancelTask(taskId: string): Promise<void>;
  cloneIndex(source: string, target: string, spec: { replicas: number; owner: OwnerToken }): Promise<void>;
  deleteIndex(name: string): Promise<void>;
  setReplicas(index: string, replicas: number): Promise<void>;
  restoreSettings(index: string, s: { replicas: number; refreshInterval?: string }): Promise<void>;
  addAliases(index: string, aliases: AliasBinding[]): Promise<void>;
}
