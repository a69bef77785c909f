import type { ClusterConfig } from '../../src/config/schema';
import type { Step, StepContext } from '../../src/runner/types';
import type { AliasBinding, Health, ReindexPort } from './port';

export type RestoreVia = 'clone' | 'reindex';

export interface ReindexArgs {
  /** Index names, comma lists and wildcards, as Elasticsearch resolves them. */
  expression: string;
  dryRun?: boolean;
  slices?: number | 'auto';
  rps?: number;
  /** Temporary index suffix; the cluster's `reindex.suffix` when absent. */
  suffix?: string;
  /** Raises `reindex.maxIndices` for this run. */
  maxIndices?: number;
  /** Overrides `reindex.restoreVia` (the benchmark compares both). */
  restoreVia?: RestoreVia;
}

export interface ReindexDeps {
  es: ReindexPort;
  settings: ClusterConfig['reindex'];
}

export type ReindexCtx = StepContext<ReindexArgs, ReindexDeps>;
export type ReindexStep = Step<ReindexArgs, ReindexDeps>;

export interface PlannedIndex {
  name: string;
  temp: string;
  docs: number;
  bytes: number;
  /** As planned (absent in plans made before they were recorded): the estimate's rebuild sizes. */
  shards?: number;
  replicas?: number;
  health?: Health;
  template?: string;
}

export interface Plan {
  indices: PlannedIndex[];
  refused: { name: string; reason: string }[];
  totalDocs: number;
  totalBytes: number;
  /** `auto`: each index is rebuilt the quicker way, decided once its first copy has been timed (choose-restore.ts). */
  restoreVia: RestoreVia | 'auto';
  version: string;
}

/** Everything a later step or a resume needs about one index, written the moment it is known. */
export interface IndexProgress {
  saved?: { shards: number; replicas: number; refreshInterval?: string; blocksWrite: boolean; aliases: AliasBinding[] };
  /** Set just before the start call, so a resume knows a task may exist whose id was never recorded. */
  copyStarting?: boolean;
  copyTask?: string;
  copyAttempt?: number;
  copyMs?: number;
  /** Documents both the source and its copy held on `countChecks` consecutive reads. */
  copyVerified?: number;
  /** How this index's original name is rebuilt, recorded before the first call that rebuilds it, and why. */
  restoreVia?: RestoreVia;
  restoreWhy?: string;
  restoreStarting?: boolean;
  restoreTask?: string;
  restoreAttempt?: number;
  /** The second copy's task finished cleanly (reindex path only). */
  restoreCopied?: boolean;
  restoreVerified?: number;
  settingsRestored?: boolean;
}
