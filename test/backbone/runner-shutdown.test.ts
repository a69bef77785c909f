import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runnerKey } from '../fixtures/runner-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { messageText } from '../../sim/slack';
import { startOwnRedisWorker } from './own-redis-worker';
import { startRunnerHarness } from './runner-harness';

/**
 * A deploy sends SIGTERM. The running job must stop at its next safe point within seconds, say so, and be
 * resumed by the next worker — not failed, not cancelled, nothing destructive repeated or skipped. A worker
 * that dies without that says so through the next worker.
 */
describe('runner: shutdown and takeover', () => {
  let h: Harness;
  let redis: Redis;
  let id = '';
  const key = (name: string) => runnerKey(h.prefix, name);
  const polled = async (n: number) => {
    const deadline = Date.now() + 20_000;
    while (Number(await redis.get(key('polls:1'))) < n) {
      if (Date.now() > deadline) throw new Error(`item 1 was not polled ${n} times within 20 s\n${h.threadText(id)}\n${h.workerLog().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  beforeAll(async () => {
    h = await startRunnerHarness({ speed: 60 });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });
  afterEach(async () => {
    await redis.del(key('polls:1'), key('polls:2'), key('effect:1'), key('effect:2'), key('destroy-log'), key('cleanup'));
  });

  it('SIGTERM mid-wait: the worker exits within seconds, the thread says the job will resume, the next worker finishes it', async () => {
    await h.restartWorker({ crashAt: 'item-1/wait:during:term' });
    // 1000 polls of 50 real ms: the wait would outlast any grace period, as an hour-long drain does.
    id = jobIdIn(await h.command('alice', 'demo prod --items 2 --polls 1000 --poll-ms 3000'));
    await polled(1); // the SIGTERM comes with the first progress line
    const termAt = Date.now();
    expect(await h.workerExited(10_000)).toBe(0);
    const exitMs = Date.now() - termAt;
    expect(exitMs).toBeLessThan(5_000);
    const parked = await h.job(id);
    expect(parked?.state).toMatch(/^(delayed|waiting)$/);
    expect(parked?.data.handedBackBy).toMatch(/:\d+$/);
    expect(h.threadText(id)).toMatch(/is shutting down: the job stopped safely during \*Wait for item 1\* and will resume on the next worker/);
    // The cluster got ready meanwhile; the next worker resumes the wait and goes on.
    await redis.set(key('polls:1'), 998);
    await h.startWorker();
    await h.waitForThread(id, /Resumed by worker `[^`]+` \(`[^`]+` handed it back when it shut down\); last completed step: \*Plan\*/);
    await redis.set(key('polls:2'), 998);
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(await redis.lrange(key('destroy-log'), 0, -1)).toEqual(['1', '2']);
    expect(s.data.records.map((r) => r.step)).toEqual(['plan', 'item-1/wait', 'item-1/destroy', 'item-2/wait', 'item-2/destroy']);
    expect(await redis.get(key('cleanup'))).toBeNull();
    console.log(`SIGTERM mid-wait → worker exit: ${exitMs} ms`);
  });

  it('a worker that takes a job over after a crash says so, with the last completed step', async () => {
    await h.restartWorker({ crashAt: 'item-1/wait:during' });
    id = jobIdIn(await h.command('alice', 'demo prod --items 1 --polls 3 --poll-ms 1000'));
    expect(await h.workerExited(30_000)).toBe(137);
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
    const resumed = h.thread(id).filter((m) => /Resumed by worker/.test(messageText(m)));
    expect(resumed).toHaveLength(1);
    expect(messageText(resumed[0])).toMatch(/Resumed by worker `[^`]+` after a restart \(`[^`]+` stopped without handing the job back\); last completed step: \*Plan\* \(step 1\)/);
    expect(await redis.lrange(key('destroy-log'), 0, -1)).toEqual(['1']);
    expect(s.returnvalue.outcome).toBe('completed');
  });
});

describe('runner: shutdown without Redis', () => {
  it('a worker whose Redis is gone still exits on SIGTERM in bounded time', async () => {
    const w = await startOwnRedisWorker('shutdown');
    const probe = new Redis(redisUrl());
    try {
      await w.addDemo('demo-prod-shutdown');
      // The job runs: its wait has polled at least twice.
      const deadline = Date.now() + 30_000;
      while (Number(await probe.get(runnerKey(w.prefix, 'polls:1'))) < 2) {
        if (Date.now() > deadline) throw new Error(`the job never started polling\n${w.log()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await w.closeQueue();
      await w.redis.stop();
      const termAt = Date.now();
      w.child.kill('SIGTERM');
      const code = await Promise.race([w.exited, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 15_000))]);
      const exitMs = Date.now() - termAt;
      expect(code, w.log()).not.toBe('hung');
      expect(exitMs).toBeLessThan(12_000);
      console.log(`SIGTERM with Redis gone → worker exit: ${exitMs} ms (code ${code})`);
    } finally {
      await probe.quit();
      await w.close();
    }
  });
});
