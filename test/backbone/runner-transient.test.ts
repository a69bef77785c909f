import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runnerKey } from '../fixtures/runner-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { messageText } from '../../sim/slack';
import { startRunnerHarness } from './runner-harness';

/**
 * One throttle or 503 must not end a job that takes an hour: the runner retries transient errors in
 * predicates, alreadyDone and polls, never repeats a destructive call blindly, and tells the thread only
 * about failures that persist.
 */
describe('runner: transient errors', () => {
  let h: Harness;
  let redis: Redis;
  const key = (name: string) => runnerKey(h.prefix, name);
  beforeAll(async () => {
    h = await startRunnerHarness({ speed: 60 });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });

  it('503s, 429s and resets in predicates, alreadyDone and polls are retried; the destructive call is not repeated', async () => {
    // 3 failures in a row of the poll (reported once), 2 of the predicate, and a destroy whose answer is lost
    // (the effect happened) followed by 2 failures of the alreadyDone that must confirm it.
    await redis.mset(key('faults:poll'), 3, key('faults:gateOpen'), 2, key('faults:effectCount'), 2, key('destroy-fault'), 1);
    const id = jobIdIn(await h.command('alice', 'demo prod --items 2 --polls 2 --poll-ms 500'));
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 60_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(Number(await redis.get(key('faults-hit')))).toBe(7);
    // Each item destroyed exactly once, although item 1's call answered with a 503.
    expect(await redis.lrange(key('destroy-log'), 0, -1)).toEqual(['1', '2']);
    expect(s.data.records.find((r) => r.step === 'item-1/destroy')?.summary).toMatch(/confirmed after a transient error/);
    const text = h.threadText(id);
    // Only the failure that persisted (3 in a row) is in the thread, once.
    expect(h.thread(id).filter((m) => /keeps failing/.test(messageText(m)))).toHaveLength(1);
    expect(text).toMatch(/`port\.poll` keeps failing \(ResponseError, HTTP (503|429)|`port\.poll` keeps failing \(ECONNRESET/);
  });
});
