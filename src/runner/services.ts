import type { Redis } from 'ioredis';
import type { Clock } from '../clock';
import type { Config } from '../config/schema';
import type { Logger } from '../log';
import type { ClusterLock } from '../queues/cluster-lock';
import type { SlackPoster } from '../slack/slack-poster';
import type { ApprovalStore } from './approval-store';
import type { CancelFlags } from './cancel-flag';
import type { JobKind, JobModule, StopReason } from './types';

/** What both the bot and the workers share: config, clock, the Redis-backed stores and the Slack poster. */
export interface CoreServices {
  config: Config;
  clock: Clock;
  redis: Redis;
  lock: ClusterLock;
  approvals: ApprovalStore;
  cancels: CancelFlags;
  slack: SlackPoster;
}

export interface RunnerServices extends CoreServices {
  modules: Partial<Record<JobKind, JobModule<any, any>>>;
  log: Logger;
  /** Test hook (ELK_CRASH_AT): kill this process with SIGKILL at a named step boundary. */
  crashAt?: string;
  /** Aborted when the worker process shuts down: running jobs stop at their next safe point and are handed back. */
  stopping?: AbortSignal;
}

export interface JobResult {
  outcome: 'completed' | StopReason;
  summary: string;
  [key: string]: unknown;
}
