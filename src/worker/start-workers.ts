import { Worker } from 'bullmq';
import { logQueueErrors } from '../queues/log-queue-errors';
import { queueName } from '../queues/names';
import { WORKER_ID } from '../runner/worker-id';
import { connectRedis } from '../queues/redis';
import { createProcessor, type RunnerServices } from '../runner/runner';
import type { JobData, JobKind } from '../runner/types';

/**
 * One BullMQ worker per job kind. Any number of these processes, on any number of machines, may share one
 * Redis: a job whose worker dies is picked up by another once its lock expires (stalled-job recovery), and
 * the runner resumes it from its saved cursor — hence the very high maxStalledCount.
 */
export function startWorkers(s: Omit<RunnerServices, 'stopping'>, redisUrl: string): { close(): Promise<void> } {
  const stopping = new AbortController();
  const processor = createProcessor({ ...s, stopping: stopping.signal });
  const { worker } = s.config;
  const workers = (Object.keys(s.modules) as JobKind[]).map(
    (kind) =>
      new Worker<JobData>(queueName(kind), processor, {
        // The same id the job's thread names when this worker takes a job over (processedBy on the job).
        name: WORKER_ID,
        connection: connectRedis(redisUrl),
        prefix: s.config.redis.prefix,
        concurrency: worker.concurrency,
        lockDuration: worker.lockDuration,
        stalledInterval: worker.stalledInterval,
        maxStalledCount: 1000,
      }),
  );
  for (const w of workers) logQueueErrors(w, s.log, { what: 'worker' });
  return {
    // BullMQ's close() waits for whole jobs, which take hours: first tell running jobs to stop at their next
    // safe point and hand themselves back (moved to the delayed set, due now), so close() returns in seconds
    // and the next worker resumes them from their last recorded step.
    close: async () => {
      stopping.abort();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
