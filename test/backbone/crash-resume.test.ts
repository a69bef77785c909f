import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoKey } from '../fixtures/demo-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { messageText } from '../../sim/slack';
import { startDemoHarness } from './demo-harness';

/**
 * A worker killed with SIGKILL at any point resumes on a new worker from the last completed step: the
 * destructive effect happens exactly once per item, and an approval already given is not asked again.
 */
const CRASH_POINTS = [
  'plan:after',
  'item-1/prepare:during',
  'item-1/prepare:after',
  'item-1/destroy:before',
  'item-1/destroy:ran',
  'item-1/destroy:after',
  'item-2/destroy:ran',
];

describe('SIGKILL and resume', () => {
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    h = await startDemoHarness({ speed: 60 });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });

  it.each(CRASH_POINTS)('killed at %s: resumes, runs each destructive step exactly once, asks once', async (crashAt) => {
    await redis.del(demoKey(h.prefix, 'effect:1'), demoKey(h.prefix, 'effect:2'));
    await h.restartWorker({ crashAt });
    const id = jobIdIn(await h.command('alice', 'demo prod --items 2 --prepare-ms 2000'));
    const approveAll = (async () => {
      // Approve whatever is asked, whenever it is asked, until the job ends.
      for (;;) {
        const s = await h.job(id);
        if (s && ['completed', 'failed'].includes(s.state)) return;
        if (s?.data.pendingApproval?.postedTs) await h.approve('bob', id).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    expect(await h.workerExited(30_000)).toBe(137);
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 60_000 });
    await approveAll;
    expect(s.returnvalue.outcome).toBe('completed');
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:2')))).toBe(1);
    expect(s.data.records.map((r) => r.step)).toEqual(['plan', 'item-1/prepare', 'item-1/destroy', 'item-2/prepare', 'item-2/destroy']);
    const questions = h.thread(id).filter((m) => /destroy item \d \(1 effect\)/.test(messageText(m)) && /Approv/.test(messageText(m)));
    expect(questions).toHaveLength(2);
    if (crashAt.endsWith(':ran')) expect(s.data.records.find((r) => `${r.step}:ran` === crashAt)?.skipped).toBe(true);
  });

  it('a step whose effect happened before the crash is not re-gated: a predicate that now blocks does not matter', async () => {
    await redis.del(demoKey(h.prefix, 'effect:1'), demoKey(h.prefix, 'gate'));
    await h.restartWorker({ crashAt: 'item-1/destroy:ran' });
    const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --prepare-ms 100'));
    await h.approve('bob', id);
    expect(await h.workerExited(30_000)).toBe(137);
    // The effect happened; now the gate closes, as a cluster changed by the effect would.
    await redis.set(demoKey(h.prefix, 'gate'), 'closed');
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(s.data.records.find((r) => r.step === 'item-1/destroy')?.skipped).toBe(true);
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
    expect(h.threadText(id)).not.toMatch(/blocked by/);
    await redis.del(demoKey(h.prefix, 'gate'));
  });
});
