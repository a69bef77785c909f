import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoKey } from '../fixtures/demo-job';
import { type Harness } from '../helpers/harness';
import { redisUrl } from '../helpers/redis-url';
import { startDemoHarness } from './demo-harness';

describe('a job thread from start to finish (demo job, real Redis, Slack emulator, worker process)', () => {
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    h = await startDemoHarness();
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });

  it('runs every step into one thread, asks before each destructive step, and finishes', async () => {
    const reply = await h.command('alice', 'demo prod --items 2 --prepare-ms 2000');
    expect(reply).toContain('demo-prod');

    expect(await h.approve('bob', 'demo-prod')).toMatch(/Approved/);
    await h.waitForApproval('demo-prod');
    expect(await h.approve('dave', 'demo-prod')).toMatch(/Approved/);
    const done = await h.waitForJob('demo-prod', { until: 'completed' });
    expect(done.returnvalue.outcome).toBe('completed');
    expect(done.data.records.map((r) => r.step)).toEqual(['plan', 'item-1/prepare', 'item-1/destroy', 'item-2/prepare', 'item-2/destroy']);

    const text = h.threadText('demo-prod');
    expect(text).toMatch(/Prepare item 1/);
    expect(text).toMatch(/Approved by <@U0BOB>/);
    expect(text).toMatch(/demo finished/);
    await h.slack.waitUntil(() => /completed/.test(h.card('demo-prod')!.text), { timeoutMs: 5000 });
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:2')))).toBe(1);
    expect(h.slack.violations).toEqual([]);

    const status = await h.command('alice', 'status demo-prod');
    expect(status).toMatch(/completed/);
    expect(status).toMatch(/Destroy item 2/);
  });

  it('refuses a second job on the same cluster while one runs, naming the holder', async () => {
    await h.command('alice', 'demo prod --items 1 --prepare-ms 60000');
    const second = await h.command('alice', 'demo prod --items 1');
    expect(second).toMatch(/demo-prod/);
    expect(await h.command('alice', 'cancel demo-prod')).toMatch(/Cancel requested|cancelled before it started/);
    const s = await h.waitForJob('demo-prod', { until: 'finished' });
    expect(s.state === 'completed' ? s.returnvalue.outcome : 'removed').toBe('cancelled');
    expect(await redis.get(demoKey(h.prefix, 'cleanup'))).toBe('cancelled');
  });
});
