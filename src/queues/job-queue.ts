import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import type { JobData, JobKind } from '../runner/types';
import { logQueueErrors } from './log-queue-errors';
import { queueName } from './names';

/** The queue of one job kind, its Redis errors in the log rather than raw on stderr. */
export function jobQueue(kind: JobKind, connection: Redis, prefix: string, log?: Logger): Queue<JobData> {
  const queue = new Queue<JobData>(queueName(kind), { connection, prefix });
  logQueueErrors(queue, log);
  return queue;
}
