import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { queueName } from '../queues/names';
import { WORKER_ID } from '../runner/worker-id';
import { connectRedis } from '../queues/redis';
import { DryRunGuard } from '../queues/dry-run-guard';
import { notifyRequester } from '../runner/notify-requester';
import { createProcessor, type RunnerServices } from '../runner/runner';
import type { JobResult } from '../runner/services';
import type { JobData, JobKind } from '../runner/types';

/**
 * Why this worker cannot run the job at all, before the runner is reached: no module for its kind, or its
 * cluster gone from the configuration. Undefined when the runner can take it.
 */
export function unrunnable(s: Pick<RunnerServices, 'modules' | 'config'>, data: Partial<JobData> | undefined): string | undefined {
  const kind = data?.kind;
  if (!kind || !s.modules[kind]) {
    const known = Object.keys(s.modules).join(', ') || 'none';
    return `no job module is registered for kind "${kind ?? '(none)'}" (this worker runs: ${known}); the job was queued by a bot of another version — run the command again`;
  }
  const cluster = data.cluster;
  if (!cluster || !s.config.clusters[cluster]) {
    const known = Object.keys(s.config.clusters).join(', ') || 'none';
    return `cluster "${cluster ?? '(none)'}" is not in the configuration any more (configured: ${known}); nothing was done — add it back under \`clusters\` and run the command again`;
  }
  return undefined;
}

/**
 * The runner's processor, with the checks it makes before its `execute()` done here first, so those failures
 * take the same road as every other: a log line, a failed reason, and the requester told (there is no thread
 * yet, so ephemerally).
 */
export function guardedProcessor(s: Pick<RunnerServices, 'modules' | 'config' | 'slack' | 'log' | 'lock' | 'redis'>, run: (job: Job<JobData>, token?: string) => Promise<JobResult>) {
  return async (job: Job<JobData>, token?: string): Promise<JobResult> => {
    const why = unrunnable(s, job.data);
    if (why === undefined) return run(job, token);
    const id = job.id ?? '(no id)';
    s.log.error({ job: id, cluster: job.data?.cluster, kind: job.data?.kind, err: why }, 'job failed');
    // The claims the bot took at enqueue time for this id (each released only by its holder's id): the cluster
    // is free again at once, not when their expiry or the bot's next look says so.
    if (job.data?.cluster && job.id) {
      await s.lock.release(job.data.cluster, job.id).catch(() => undefined);
      await new DryRunGuard(s.redis, s.config.redis.prefix, 0).release(String(job.data.kind), job.data.cluster, job.id).catch(() => undefined);
    }
    if (job.data?.channel && job.data.requester) await notifyRequester(s.slack, job.data, id, why, s.log);
    else s.log.error({ job: id }, 'could not tell the requester that the job failed: the job names no requester or channel');
    throw new UnrecoverableError(why);
  };
}

/**
 * One BullMQ worker per job kind. Any number of these processes, on any number of machines, may share one
 * Redis: a job whose worker dies is picked up by another once its lock expires (stalled-job recovery), and
 * the runner resumes it from its saved cursor — hence the very high maxStalledCount.
 */
export function startWorkers(s: Omit<RunnerServices, 'stopping'>, redisUrl: string): { close(): Promise<void> } {
  const stopping = new AbortController();
  const processor = guardedProcessor(s, createProcessor({ ...s, stopping: stopping.signal }));
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
  for (const w of workers) w.on('error', (err) => s.log.error({ err: err.message, queue: w.name }, 'worker error'));
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
