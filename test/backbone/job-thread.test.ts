import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoKey } from '../fixtures/demo-job';
import { OPS_CHANNEL, type Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
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
    expect(reply).toMatch(/^Started `demo-prod[\w-]*`$/);
    const id = jobIdIn(reply);

    expect(await h.approve('bob', id)).toMatch(/Approved/);
    await h.waitForApproval(id);
    expect(await h.approve('dave', id)).toMatch(/Approved/);
    const done = await h.waitForJob(id, { until: 'completed' });
    expect(done.returnvalue.outcome).toBe('completed');
    expect(done.data.records.map((r) => r.step)).toEqual(['plan', 'item-1/prepare', 'item-1/destroy', 'item-2/prepare', 'item-2/destroy']);

    const text = h.threadText(id);
    expect(text).toMatch(/Prepare item 1/);
    expect(text).toMatch(/Approved by <@U0BOB>/);
    expect(text).toMatch(/demo finished/);
    await h.slack.waitUntil(() => /completed/.test(h.card(id)!.text), { timeoutMs: 5000 });
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:2')))).toBe(1);
    expect(h.slack.violations).toEqual([]);

    const status = await h.command('alice', `status ${id}`);
    expect(status).toMatch(/completed/);
    expect(status).toMatch(/Destroy item 2/);
  });

  it('refuses a second job on the same cluster while one runs, naming the holder', async () => {
    await redis.del(demoKey(h.prefix, 'effect:1'), demoKey(h.prefix, 'cleanup'));
    const started = await h.command('alice', 'demo prod --items 1 --prepare-ms 600000');
    expect(started).toMatch(/^Started `/);
    const id = jobIdIn(started);
    await h.waitForThread(id, /Prepare item 1/);
    const cards = () => h.slack.messages(OPS_CHANNEL).filter((m) => !m.thread_ts || m.thread_ts === m.ts).length;
    const before = cards();
    // The refusal names the running job; "Started" would mean a second job on the cluster.
    expect(await h.command('alice', 'demo prod --items 1')).toBe(`Busy: \`${id}\` holds the cluster`);
    expect(cards()).toBe(before);
    expect(await h.command('alice', `cancel ${id}`)).toMatch(/Cancel requested/);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('cancelled');
    expect(await redis.get(demoKey(h.prefix, 'cleanup'))).toBe('cancelled');
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
  });
});
