/**
 * A queue whose Redis goes away: BullMQ would print each reconnect failure raw to stderr; with logQueueErrors
 * they are warn lines in the structured log, folded to one per interval.
 */
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logQueueErrors } from '../../src/queues/log-queue-errors';
import { connectRedis } from '../../src/queues/redis';
import { startRedis } from '../../sim/sandbox/redis-server';

describe('logQueueErrors', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs a lost Redis as folded warn lines, and nothing reaches console.error', async () => {
    const redis = await startRedis();
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const consoleError = vi.spyOn(console, 'error');
    const connection = connectRedis(redis.url, { retryStrategy: () => 50 });
    const queue = new Queue('q', { connection, prefix: 'qe' });
    logQueueErrors(queue, log, { everyMs: 1_000 });
    await queue.add('x', {});
    await redis.stop();
    // About 40 reconnect attempts in 2 s: two or three lines, the rest folded into them.
    await new Promise((r) => setTimeout(r, 2_200));
    await queue.close().catch(() => undefined);
    connection.disconnect();
    expect(consoleError).not.toHaveBeenCalled();
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines[0]).toMatchObject({ level: 40, queue: 'q', err: expect.stringMatching(/ECONNREFUSED|Connection is closed|ECONNRESET/) });
    expect(lines.slice(1).some((l) => Number(l.foldedSinceLast) > 0)).toBe(lines.length > 1);
  }, 20_000);
});
