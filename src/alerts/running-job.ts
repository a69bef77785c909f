/**
 * Which elk-ops job is working on a cluster right now, as an alert thread tells it: the cluster lock's holder
 * (only destructive, non-dry runs take it) and that job's saved data — its thread, its cursor, its step count.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { ClusterLock } from '../queues/cluster-lock';
import { jobQueue } from '../queues/job-queue';
import { kindOfJobId } from '../queues/names';
import { stepNumber } from '../runner/step-number';
import type { JobData, JobKind } from '../runner/types';

export interface RunningJob {
  id: string;
  kind: JobKind;
  cluster: string;
  requester: string;
  thread?: { channel: string; ts: string };
  /** The step being worked on, numbered from 1 as the job card numbers it. */
  step: number;
  total?: number;
  /** What it is doing there, in the card's words: waiting for an approval, or after which step. */
  doing?: string;
}

const LIVE = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

const KIND_WORDS: Record<JobKind, string> = { upgrade: 'an upgrade', reindex: 'a reindex', demo: 'a demo job', 'alert-test': 'an alert test' };

export function jobWords(kind: JobKind): string {
  return KIND_WORDS[kind] ?? `a ${kind} job`;
}

export class RunningJobs {
  private readonly lock: ClusterLock;
  private readonly queues = new Map<JobKind, Queue<JobData>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log?: Logger,
  ) {
    this.lock = new ClusterLock(redis, prefix);
  }

  async on(cluster: string): Promise<RunningJob | undefined> {
    const id = await this.lock.holder(cluster);
    const kind = id ? kindOfJobId(id) : undefined;
    if (!id || !kind) return undefined;
    let q = this.queues.get(kind);
    if (!q) this.queues.set(kind, (q = jobQueue(kind, this.redis, this.prefix, this.log)));
    const job = await q.getJob(id);
    // A lock left by a run that has ended (it expires on its own) is no running job.
    if (!job || !LIVE.has(await job.getState())) return undefined;
    const d = job.data;
    const progress = (job.progress ?? {}) as { total?: number; label?: string };
    const doing = d.pendingApproval ? 'waiting for an approval' : progress.label ? `after “${progress.label}”` : undefined;
    return { id, kind, cluster, requester: d.requester, thread: d.thread, step: stepNumber(d), total: progress.total, doing };
  }

  async close(): Promise<void> {
    for (const q of this.queues.values()) await q.close();
  }
}
