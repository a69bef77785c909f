import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runnerKey } from '../fixtures/runner-job';
import { OPS_CHANNEL, USERS, type Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { messageText } from '../../sim/slack';
import { queueName } from '../../src/queues/names';
import type { JobData } from '../../src/runner/types';
import { startRunnerHarness } from './runner-harness';

/** The first decision always rewrites the question, even when the click beat the worker to storing its ts. */
describe('runner: a click before the question ts is stored', () => {
  let h: Harness;
  let redis: Redis;
  let queue: Queue<JobData>;
  beforeAll(async () => {
    h = await startRunnerHarness({ speed: 60 });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue<JobData>(queueName('demo'), { connection: redis, prefix: h.prefix });
  });
  afterAll(async () => {
    await queue.close();
    await redis.quit();
    await h?.close();
  });

  it('the click rewrites the message as decided and leaves no live buttons', async () => {
    const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --polls 1 --approve'));
    const question = await h.waitForApproval(id);
    await h.waitForJob(id, { until: 'parked' });
    // As the bot sees the job when the click lands between the post and the worker saving its ts.
    const job = (await queue.getJob(id))!;
    await job.updateData({ ...job.data, pendingApproval: { ...job.data.pendingApproval!, postedTs: undefined } });
    const r = await h.slack.clickButton({ user: USERS.bob, channel: OPS_CHANNEL, messageTs: question.ts, actionId: 'approval_approve' });
    expect(r.status).toBe(200);
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(Number(await redis.get(runnerKey(h.prefix, 'effect:1')))).toBe(1);
    const after = h.thread(id).find((m) => m.ts === question.ts)!;
    expect(JSON.stringify(after.blocks ?? [])).not.toMatch(/approval_approve|approval_reject/);
    expect(messageText(after)).toMatch(/^👍 Approved by <@U0BOB>.* — will run after its safety checks pass/);
    expect(messageText(after)).not.toContain('✅');
    // The decision is the audit record: kept with the job's history (jobs.history.keepDays), then gone.
    const key = `${h.prefix}:approvals:${id}`;
    expect(JSON.parse((await redis.hget(key, Object.keys(await redis.hgetall(key))[0]))!).by).toBe(USERS.bob);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(h.config.jobs.history.keepDays * 86_400 - 60);
    expect(ttl).toBeLessThanOrEqual(h.config.jobs.history.keepDays * 86_400);
  });
});
