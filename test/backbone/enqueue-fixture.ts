import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ClusterLock } from '../../src/queues/cluster-lock';
import { queueName } from '../../src/queues/names';
import type { JobData, JobKind } from '../../src/runner/types';
import { OPS_CHANNEL, USERS, startHarness, type Harness, type HarnessOptions } from '../helpers/harness';
import { redisUrl } from '../helpers/redis-url';

/**
 * The bot with the real commands and job kinds, but no worker: jobs stay where the bot put them, so a test
 * sees exactly what enqueueing did. `finishNext` stands in for a worker when a test needs a run to end.
 */
export interface EnqueueBench {
  h: Harness;
  redis: Redis;
  lock: ClusterLock;
  queue(kind: JobKind): Queue<JobData>;
  /** Between tests: no jobs, no cluster lock, no dry-run guard. */
  reset(): Promise<void>;
  /** Every count of every queue, summed: 0 means nothing was ever enqueued. */
  totalJobs(): Promise<number>;
  /** Sends `text` from alice `n` times at once, as signed slash commands; resolves to the replies. */
  burst(text: string, n: number): Promise<string[]>;
  /** Lets a plain BullMQ worker take the next job of `kind` and end it with `outcome` (or fail it). */
  finishNext(kind: JobKind, outcome: 'completed' | 'failed'): Promise<string>;
  close(): Promise<void>;
}

export async function startEnqueueBench(o: Partial<HarnessOptions> = {}): Promise<EnqueueBench> {
  const h = await startHarness({
    clusterConfig: { aws: { region: 'eu-west-1', groups: { masters: 'es-master', data: 'es-data' } } },
    startWorker: false,
    ...o,
  });
  // The bot's first request compiles its code paths; a burst should measure enqueueing, not that.
  await h.command('alice', 'help');
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const queues = new Map<JobKind, Queue<JobData>>();
  const queue = (kind: JobKind) => {
    if (!queues.has(kind)) queues.set(kind, new Queue<JobData>(queueName(kind), { connection: redis, prefix: h.prefix }));
    return queues.get(kind)!;
  };
  return {
    h,
    redis,
    lock: new ClusterLock(redis, h.prefix),
    queue,
    async reset() {
      for (const kind of ['upgrade', 'reindex'] as const) await queue(kind).obliterate({ force: true });
      const keys = await redis.keys(`${h.prefix}:guard:*`);
      await redis.del(`${h.prefix}:lock:cluster:prod`, ...keys);
    },
    async totalJobs() {
      let n = 0;
      for (const kind of ['upgrade', 'reindex'] as const) n += Object.values(await queue(kind).getJobCounts()).reduce((a, b) => a + b, 0);
      return n;
    },
    async burst(text, n) {
      const replies = await Promise.all(Array.from({ length: n }, () => h.slack.slashCommand({ user: USERS.alice, channel: OPS_CHANNEL, text })));
      return replies.map((r) => {
        if (r.status !== 200) throw new Error(`bot answered HTTP ${r.status}${r.timedOut ? ' (no ack within Slack\'s 3 s)' : ''} to /elk ${text}`);
        return String((r.body as { text?: string } | undefined)?.text ?? '');
      });
    },
    async finishNext(kind, outcome) {
      // BullMQ's manual processing: take exactly one job, end it, fetch nothing more.
      const connection = redis.duplicate();
      const worker = new Worker<JobData>(queueName(kind), null, { connection, prefix: h.prefix });
      try {
        const token = 'enqueue-test';
        const job = await worker.getNextJob(token, { block: true });
        if (!job) throw new Error(`no ${kind} job waiting`);
        if (outcome === 'failed') await job.moveToFailed(new Error('test worker: this run fails'), token, false);
        else await job.moveToCompleted({ outcome: 'completed', summary: 'test worker: done' }, token, false);
        return job.id!;
      } finally {
        await worker.close();
        await connection.quit();
      }
    },
    async close() {
      for (const q of queues.values()) await q.close();
      await redis.quit();
      await h.close();
    },
  };
}
