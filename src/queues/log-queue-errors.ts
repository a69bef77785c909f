import type { Logger } from '../log';

/**
 * A BullMQ Queue with no 'error' listener prints every error of its Redis connection raw to stderr
 * (console.error), once per reconnect attempt while Redis is away: unreadable next to the JSON log. They go to
 * the log instead, one line per `everyMs` per queue with how many were folded into it. Without a logger they are
 * dropped: the call that needed Redis fails or waits, and says so itself. A worker's errors are folded the same
 * way: a Redis that answers READONLY (a primary demoted by a failover) makes BullMQ's fetch loop fail about once a
 * millisecond.
 */
export function logQueueErrors(
  queue: { name: string; on(event: 'error', listener: (err: Error) => void): unknown },
  log?: Logger,
  { everyMs = 30_000, what = 'queue' }: { everyMs?: number; what?: 'queue' | 'worker' } = {},
): void {
  let last = -Infinity;
  let folded = 0;
  queue.on('error', (err) => {
    const now = Date.now();
    if (now - last < everyMs) return void folded++;
    last = now;
    log?.warn({ queue: queue.name, err: err.message, foldedSinceLast: folded }, `${what}: Redis error; ioredis reconnects on its own, calls meanwhile fail or wait`);
    folded = 0;
  });
}
