import type { Config } from '../src/config/schema';
import type { JobKind } from '../src/runner/types';

/** What a subcommand answers: always ephemeral unless `inChannel`. */
export interface Reply {
  text: string;
  blocks?: unknown[];
  inChannel?: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface EnqueueResult {
  /** The job was queued under this new id (every run has its own). */
  jobId?: string;
  /** Nothing was queued: this job holds the cluster; names it so the reply can say which. */
  busyWith?: string;
  /** What `busyWith` holds: the destructive cluster lock, or the one-dry-run-per-kind-and-cluster guard. */
  busyBecause?: 'cluster-lock' | 'dry-run';
}

/** Everything a subcommand may touch. Only fast calls: the whole command must answer within 3 s. */
export interface CommandContext {
  config: Config;
  user: string;
  channel: string;
  enqueue(kind: JobKind, cluster: string, args: unknown): Promise<EnqueueResult>;
  /** Status lines for one job, or for all recent jobs when no id is given. */
  status(jobId?: string): Promise<Reply>;
  /** Requests cancellation; the job stops at its next safe point and restores what it changed. */
  cancel(jobId: string): Promise<Reply>;
}

export interface Command<T = unknown> {
  name: string;
  /** One line of usage for /elk help, e.g. "/elk reindex <cluster> <index-expression> [--dry-run]". */
  usage: string;
  /** What it does, one sentence. */
  summary: string;
  /** Extra help lines (flags, accepted expressions). */
  details?: string[];
  /** Pure: words after the subcommand → typed arguments, or a message that says what is wrong and how to fix it. */
  parse(words: string[]): Parsed<T>;
  /** Validate against config (cluster exists …), enqueue, and reply. Authorisation is checked before this. */
  run(ctx: CommandContext, args: T): Promise<Reply>;
}
