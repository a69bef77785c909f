import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runnerKey } from '../fixtures/runner-job';
import { redisUrl } from '../helpers/redis-url';
import { startOwnRedisWorker } from './own-redis-worker';

/**
 * A Redis that does not answer at all (a partition, a frozen server) makes calls wait rather than fail. The job
 * must not stall in silence: once Redis has been silent for longer than the job lock lasts, the run stops, says
 * so in the thread (Slack still answers), and makes no call to the cluster; when Redis answers again a worker
 * resumes the job from its last completed step and its destructive step happens exactly once.
 */
describe('runner: Redis that stops answering', () => {
  it('the run stops and says so within seconds of the lock lapsing; the job resumes when Redis is back; nothing runs twice', async () => {
    const w = await startOwnRedisWorker('silent');
    const { prefix } = w;
    const probe = new Redis(redisUrl());
    const { texts, until } = w;
    let frozen = false;
    try {
      await w.addDemo('demo-prod-silent');
      await until('the job never started polling', async () => Number(await probe.get(runnerKey(prefix, 'polls:1'))) >= 2, 30_000);

      process.kill(w.redis.pid, 'SIGSTOP');
      frozen = true;
      const frozenAt = Date.now();
      // The wait could finish now: the destroy step must still not run while Redis cannot confirm the job is ours.
      await probe.set(runnerKey(prefix, 'polls:1'), 998);
      await until('no thread line said Redis is not answering', () => texts().some((t) => /Redis has not answered worker `[^`]+` for \d+ s: the job stopped here/.test(t)), 20_000);
      const toldMs = Date.now() - frozenAt;
      expect(toldMs).toBeGreaterThanOrEqual(9_000);
      expect(texts().join('\n')).toMatch(/last completed step: \*Plan\*/);
      // Silent Redis, nothing destroyed: the destructive step waits on Redis's lock check, never past it.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await probe.lrange(runnerKey(prefix, 'destroy-log'), 0, -1)).toEqual([]);

      process.kill(w.redis.pid, 'SIGCONT');
      frozen = false;
      await until('the job did not complete after Redis came back', async () => (await w.queue.getJobState('demo-prod-silent')) === 'completed', 40_000);
      expect(await probe.lrange(runnerKey(prefix, 'destroy-log'), 0, -1)).toEqual(['1']);
      expect(texts().filter((t) => /Resumed by worker/.test(t))).toHaveLength(1);
      console.log(`Redis frozen → thread told after ${toldMs} ms; resumed and completed after Redis came back`);
    } finally {
      if (frozen) process.kill(w.redis.pid, 'SIGCONT');
      await probe.del(runnerKey(prefix, 'polls:1'), runnerKey(prefix, 'destroy-log'), runnerKey(prefix, 'effect:1'));
      await probe.quit();
      await w.close();
    }
  }, 120_000);
});
