import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { demoKey } from '../fixtures/demo-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { queueName } from '../../src/queues/names';
import type { JobData } from '../../src/runner/types';
import { startDemoHarness } from './demo-harness';

/**
 * A job resumed by a worker whose step list differs from the one that recorded its progress (a deploy in the
 * middle of a job) must not trust its cursor: the index would now name another step.
 */
describe('a resumed job whose step list changed', () => {
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

  it('stops before running anything, and says why', async () => {
    await h.restartWorker({ crashAt: 'item-1/prepare:after' });
    const id = jobIdIn(await h.command('alice', 'demo prod --items 2 --prepare-ms 1000'));
    expect(await h.workerExited(30_000)).toBe(137);
    // What an older release recorded: its first item step had another name.
    const queue = new Queue<JobData>(queueName('demo'), { connection: redis, prefix: h.prefix });
    const job = (await queue.getJob(id))!;
    const data = structuredClone(job.data);
    expect(data.records.map((r) => r.step)).toEqual(['plan', 'item-1/prepare']);
    data.records[1].step = 'item-1/get-ready';
    await job.updateData(data);
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'failed', timeoutMs: 60_000 });
    expect(s.failedReason).toMatch(/steps changed since it was planned/);
    expect(h.threadText(id)).toMatch(/item-1\/get-ready/);
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    await queue.close();
  });
});
