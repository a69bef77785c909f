/**
 * One stall is one takeover. A job's BullMQ lock lapses while it waits on a blocked predicate (here: its lock key
 * is deleted, as a Redis failover can lose it); BullMQ gives the job to the worker's other slot. The run that
 * lost it must stop, and the run that took it over must keep its own lock alive: BullMQ tracks locks by job id,
 * so when the old run ends it untracks the new one, whose lock then lapsed at its next long wait, and so on
 * (seen in CI: "Resumed by worker … after a restart" every 2–3 s for 20 s, the override question never asked).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../../src/queues/names';
import { demoKey } from '../fixtures/demo-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { startDemoHarness } from './demo-harness';

describe('runner: a lapsed job lock', () => {
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    // predicateWait 4m at 60× is 4 real seconds blocked before the override question; the job lock lasts 2 s.
    h = await startDemoHarness({ speed: 60, config: { worker: { predicateWait: '4m', predicatePoll: '30s' } } });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });

  it('is taken over once; the new run keeps the job, asks its question and finishes', async () => {
    await redis.set(demoKey(h.prefix, 'gate'), 'closed');
    const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --prepare-ms 100'));
    await h.approve('bob', id);
    await h.waitForThread(id, /is blocked by `demo_gate_open`/, 20_000);
    expect(await redis.del(`${h.prefix}:${queueName('demo')}:${id}:lock`)).toBe(1);
    await h.waitForThread(id, /Resumed by worker/, 10_000);
    // Two lock lifetimes and the old run's would-be decision point (4 s) later: still one takeover, the question asked.
    await h.waitForThread(id, /override safety predicate `demo_gate_open`/, 15_000);
    await new Promise((r) => setTimeout(r, 5_000));
    const resumes = h.thread(id).filter((m) => /Resumed by worker/.test(m.text));
    expect(resumes, h.threadText(id)).toHaveLength(1);
    expect(h.thread(id).filter((m) => /override safety predicate `demo_gate_open`/.test(m.text))).toHaveLength(1);
    await h.approve('dave', id);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBe('1');
  }, 60_000);
});
