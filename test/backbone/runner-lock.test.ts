import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runnerKey } from '../fixtures/runner-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { startRunnerHarness } from './runner-harness';

/**
 * The per-cluster lock is what keeps two destructive jobs off one cluster. A job that loses it must stop
 * before its next call and must not "clean up" under the new holder; a dry run must not take it at all.
 */
describe('runner: the cluster lock', () => {
  let h: Harness;
  let redis: Redis;
  const lockKey = () => `${h.prefix}:lock:cluster:prod`;
  const key = (name: string) => runnerKey(h.prefix, name);
  let id = '';
  const polled = async (n: number) => {
    const deadline = Date.now() + 20_000;
    while (Number(await redis.get(key('polls:1'))) < n) {
      if (Date.now() > deadline) throw new Error(`item 1 was not polled ${n} times within 20 s\n${h.threadText(id)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const start = async (text: string) => (id = jobIdIn(await h.command('alice', text)));
  beforeAll(async () => {
    h = await startRunnerHarness({ speed: 60 });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });
  afterEach(async () => {
    const s = id ? await h.job(id) : undefined;
    if (s && !['completed', 'failed'].includes(s.state)) {
      await h.cancel('bob', id);
      await h.waitForJob(id, { until: 'finished' });
    }
    await redis.del(lockKey(), key('polls:1'), key('effect:1'), key('effect:2'), key('cleanup'), key('destroy-log'));
  });

  it('a job whose lock another job took stops before its next destructive call and puts nothing back', async () => {
    await start('demo prod --items 2 --polls 400 --poll-ms 3000');
    await polled(1);
    // Redis lost the key and another job took the cluster.
    await redis.set(lockKey(), 'reindex-prod');
    const s = await h.waitForJob(id, { until: 'failed', timeoutMs: 15_000 });
    expect(s.failedReason).toMatch(/lock on cluster prod now belongs to `reindex-prod`/);
    expect(await redis.lrange(key('destroy-log'), 0, -1)).toEqual([]);
    expect(await redis.get(key('cleanup'))).toBeNull();
    const text = h.threadText(id);
    expect(text).toMatch(/Failed.*lock on cluster prod now belongs to `reindex-prod`/);
    expect(text).toMatch(/Not put back:[\s\S]*cleanup did not run: `reindex-prod` holds the cluster/);
    // The other job's lock is left alone.
    expect(await redis.get(lockKey())).toBe('reindex-prod');
  });

  it('a job resumed after a crash that finds its lock taken says so in its thread and leaves the cluster to the holder', async () => {
    await h.restartWorker({ crashAt: 'item-1/wait:during' });
    await start('demo prod --items 1 --polls 3 --poll-ms 1000');
    expect(await h.workerExited(30_000)).toBe(137);
    await redis.set(lockKey(), 'reindex-prod');
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'failed', timeoutMs: 30_000 });
    expect(s.failedReason).toMatch(/belongs to `reindex-prod`/);
    const text = h.threadText(id);
    expect(text).toMatch(/Failed.*belongs to `reindex-prod`.*stopped before its next call/);
    expect(text).toMatch(/Not put back:[\s\S]*last completed step: \*Plan\*/);
    // A job without a leftovers hook says what it left in general terms.
    expect(text).toMatch(/putting back this job's changes \(settings, blocks, exclusions\) while another job may depend on them/);
    expect(await redis.get(key('cleanup'))).toBeNull();
    expect(await redis.get(key('effect:1'))).toBeNull();
    expect(await redis.get(lockKey())).toBe('reindex-prod');
  });

  it('a resumed job that cannot get its lock back names what it leaves changed, from its leftovers hook', async () => {
    await h.restartWorker({ crashAt: 'item-1/wait:during' });
    await start('demo prod --items 2 --polls 3 --poll-ms 1000 --leftovers');
    expect(await h.workerExited(30_000)).toBe(137);
    await redis.set(lockKey(), 'reindex-prod');
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'failed', timeoutMs: 30_000 });
    expect(s.failedReason).toMatch(/belongs to `reindex-prod`/);
    const stop = h.thread(id).find((m) => /Not put back:/.test(m.text))?.text ?? '';
    expect(stop, h.threadText(id)).toMatch(
      /Not put back:\*\n• cleanup did not run: `reindex-prod` holds the cluster now, and putting back this job's changes while another job may depend on them could undo its work; left as this job set them:\n• left in place: write block on `runner-item-1`\n• left in place: write block on `runner-item-2`\n• last completed step: \*Plan\*/,
    );
    expect(stop).not.toMatch(/settings, blocks, exclusions/);
    expect(await redis.get(key('cleanup'))).toBeNull();
    expect(await redis.get(lockKey())).toBe('reindex-prod');
  });

  it('a dry run does not hold the cluster lock while it runs', async () => {
    await start('demo prod --dry-run --items 1 --polls 200 --poll-ms 3000');
    await polled(2);
    expect(await redis.get(lockKey())).toBeNull();
    await h.cancel('bob', id);
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 15_000 });
    expect(s.returnvalue.outcome).toBe('cancelled');
  });
});
