import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runnerKey } from '../fixtures/runner-job';
import { redisUrl } from '../helpers/redis-url';
import { startOwnRedisWorker } from './own-redis-worker';

/**
 * A Redis that answers errors: after a failover the worker's Redis is a replica (REPLICAOF a primary that is not
 * there), which keeps its data and answers reads but refuses every write with READONLY. The job's next save is
 * refused. That is not the job failing: the run must not clean up, post "Failed" or fail the job, and must make
 * no call to the cluster; it says what Redis answered and leaves the job, which a worker resumes from its last
 * completed step once Redis takes writes again, with its destructive step done exactly once.
 */
describe('runner: Redis that refuses writes (READONLY after a failover)', () => {
  it('the run stops at once, says what Redis answered, cleans nothing and fails nothing; the job resumes when writes are taken again', async () => {
    const w = await startOwnRedisWorker('refused');
    const { prefix } = w;
    const probe = new Redis(redisUrl());
    const admin = new Redis(w.redis.url);
    const { texts, until, log } = w;
    let readOnly = false;
    try {
      await w.addDemo('demo-prod-refused');
      await until('the job never started polling', async () => Number(await probe.get(runnerKey(prefix, 'polls:1'))) >= 2, 30_000);

      // Port 9 (discard) has no Redis: the replica never syncs, so it keeps its data and refuses writes.
      await admin.call('REPLICAOF', '127.0.0.1', '9');
      readOnly = true;
      const refusedAt = Date.now();
      // The wait could finish now: the destroy step must still not run while the job's state cannot be saved.
      await probe.set(runnerKey(prefix, 'polls:1'), 998);
      const LINE = /Redis refused worker `[^`]+`'s calls \(READONLY You can't write against a read only replica\.\)(?: for \d+ s)?: the job stopped here, before its next call to the cluster/;
      await until('no thread line said Redis refused the worker', () => texts().some((t) => LINE.test(t)), 20_000);
      const toldMs = Date.now() - refusedAt;
      const said = texts().join('\n');
      expect(said).toMatch(/last completed step: \*Plan\*/);
      // BullMQ's script hash is not Redis's words: it stays out of the thread.
      expect(said).not.toMatch(/user_script|script: [0-9a-f]{40}/);
      // Not a failure, and nothing cleaned up: the job is not over.
      expect(said).not.toMatch(/Failed|cleanup ran/);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await probe.lrange(runnerKey(prefix, 'destroy-log'), 0, -1)).toEqual([]);
      expect(await probe.get(runnerKey(prefix, 'cleanup'))).toBeNull();

      await admin.call('REPLICAOF', 'NO', 'ONE');
      readOnly = false;
      await until('the job did not complete after Redis took writes again', async () => (await w.queue.getJobState('demo-prod-refused')) === 'completed', 40_000);
      expect(await probe.lrange(runnerKey(prefix, 'destroy-log'), 0, -1)).toEqual(['1']);
      // The same worker process resumes it: not "after a restart", which it never had.
      expect(texts().filter((t) => /Resumed by worker `[^`]+`, whose earlier run stopped without handing the job back; last completed step: \*Plan\*/.test(t)), texts().join('\n')).toHaveLength(1);
      expect(texts().filter((t) => /Resumed by worker/.test(t))).toHaveLength(1);
      expect(texts().filter((t) => LINE.test(t))).toHaveLength(1);
      // One folded warn line per 30 s, not BullMQ's fetch loop failing once a millisecond, each logged.
      const workerErrors = log().split('\n').filter((l) => /READONLY/.test(l) && /"worker: Redis error/.test(l));
      expect(workerErrors.length).toBeLessThanOrEqual(2);
      console.log(`Redis READONLY → thread told after ${toldMs} ms; resumed and completed after writes were taken again`);
    } finally {
      if (readOnly) await admin.call('REPLICAOF', 'NO', 'ONE').catch(() => undefined);
      await probe.del(runnerKey(prefix, 'polls:1'), runnerKey(prefix, 'destroy-log'), runnerKey(prefix, 'effect:1'), runnerKey(prefix, 'cleanup'));
      await probe.quit();
      admin.disconnect();
      await w.close();
    }
  }, 120_000);
});
