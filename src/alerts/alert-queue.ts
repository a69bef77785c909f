import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { logQueueErrors } from '../queues/log-queue-errors';
import type { IncomingAlert } from './incoming-alert';

/** Accepted alerts wait here (in Redis, so in the AOF) until a delivery worker has counted them into their group. */
export const ALERT_QUEUE = 'elk-alerts';

export interface AlertJobData {
  alert: IncomingAlert;
}

export function alertQueue(connection: Redis, prefix: string, log?: Logger): Queue<AlertJobData> {
  const queue = new Queue<AlertJobData>(ALERT_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // Completed jobs are kept a day so a retried POST finds its job id taken (the enqueue is then a no-op);
      // the group's seen-set catches later retries. Failed jobs (no route) are kept for people to look at.
      removeOnComplete: { age: 24 * 3600, count: 200_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
      attempts: 20,
      backoff: { type: 'exponential', delay: 1000 },
    },
  });
  logQueueErrors(queue, log);
  return queue;
}

/** Persists the alert; resolves only once Redis has it. Returns false when the same alert was already queued. */
export async function enqueueAlert(queue: Queue<AlertJobData>, redis: Redis, alert: IncomingAlert): Promise<boolean> {
  // One EXISTS instead of getJob (which reads the whole job): this runs on every webhook request.
  if ((await redis.exists(`${queue.opts.prefix}:${ALERT_QUEUE}:${alert.id}`)) === 1) return false;
  // add() with a taken jobId is a no-op too; the check above only tells the caller it was a duplicate.
  await queue.add('alert', { alert }, { jobId: alert.id });
  return true;
}
