import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Harness } from '../helpers/harness';
import { GENERAL_CHANNEL, OPS_CHANNEL, USERS } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { queueName } from '../../src/queues/names';
import { startDemoHarness } from './demo-harness';

/** Every bad request gets a message that says what was wrong and how to fix it, and starts nothing. */
describe('bad input and authorisation', () => {
  let h: Harness;
  let redis: Redis;
  let demoQueue: Queue;
  beforeAll(async () => {
    h = await startDemoHarness();
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    demoQueue = new Queue(queueName('demo'), { connection: redis, prefix: h.prefix });
  });
  afterAll(async () => {
    await demoQueue?.close();
    await redis?.quit();
    await h?.close();
  });

  // Every run has its own id, so "nothing started" is an empty queue, not a missing `demo-prod`.
  const nothingStarted = async () => {
    expect(Object.values(await demoQueue.getJobCounts()).reduce((a, b) => a + b, 0)).toBe(0);
    expect(h.slack.messages(OPS_CHANNEL)).toHaveLength(0);
  };

  it('/elk help lists every subcommand with its usage', async () => {
    const text = await h.command('carol', 'help');
    // The overview names each command; its optional flags are one `/elk help <command>` away.
    for (const usage of ['/elk help', '/elk demo <cluster>', '/elk status', '/elk cancel <job-id>']) expect(text).toContain(usage);
    expect(text).not.toContain('/elk status [job-id]');
    expect(await h.command('carol', 'help status')).toContain('/elk status [job-id]');
    expect(await h.command('carol', '')).toContain('/elk status');
  });

  it('an unknown subcommand is named, with a suggestion', async () => {
    expect(await h.command('alice', 'stauts')).toMatch(/Unknown subcommand `stauts`. Did you mean `\/elk status`\?/);
    expect(await h.command('alice', 'frobnicate')).toMatch(/Unknown subcommand `frobnicate`.*\/elk help/);
    await nothingStarted();
  });

  it('bad flags are refused with the accepted ones and the usage', async () => {
    expect(await h.command('alice', 'demo prod --itmes 3')).toMatch(/unknown option `--itmes`; accepted: --items, --prepare-ms.*Usage/s);
    expect(await h.command('alice', 'demo prod --items')).toMatch(/`--items` needs a value/);
    expect(await h.command('alice', 'demo prod --items -4')).toMatch(/`--items` needs a positive number/);
    expect(await h.command('alice', 'demo')).toMatch(/name a cluster/);
    await nothingStarted();
  });

  it('a user or channel that is not allowed is told so, and nothing is enqueued', async () => {
    expect(await h.command('carol', 'demo prod')).toMatch(/Not allowed: you are not allowed to run `\/elk demo`.*access\.commands\.demo\.users/);
    expect(await h.command('alice', 'demo prod', GENERAL_CHANNEL)).toMatch(/cannot be run in this channel; use <#C0OPS>/);
    await nothingStarted();
  });

  it('a forged or stale Slack signature is refused with 401 and changes nothing', async () => {
    const forged = await h.slack.slashCommand({ user: USERS.alice, channel: OPS_CHANNEL, text: 'demo prod', signature: 'forged' });
    expect(forged.status).toBe(401);
    const stale = await h.slack.slashCommand({ user: USERS.alice, channel: OPS_CHANNEL, text: 'demo prod', signature: 'stale' });
    expect(stale.status).toBe(401);
    await nothingStarted();
  });

  it('status and cancel of an unknown job say so', async () => {
    expect(await h.command('alice', 'status nope-prod')).toMatch(/No job `nope-prod`/);
    expect(await h.command('alice', 'cancel nope-prod')).toMatch(/No job `nope-prod`/);
    expect(await h.command('alice', 'cancel')).toMatch(/name the job to cancel/);
  });
});

describe('Slack rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startDemoHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a storm of 429s is waited out: the job finishes and no step reply is dropped', async () => {
    h.slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 1 }, 4);
    h.slack.failNext('chat.update', { status: 429, retryAfterSec: 1 }, 4);
    const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --prepare-ms 100'));
    await h.approve('bob', id);
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 60_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    await h.waitForThread(id, /demo finished/);
    const text = h.threadText(id);
    for (const label of ['Plan', 'Prepare item 1', 'destroy item 1']) expect(text).toContain(label);
    expect(h.slack.calls.filter((c) => c.status === 429).length).toBe(8);
  });
});
