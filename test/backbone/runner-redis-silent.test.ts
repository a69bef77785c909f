import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import * as yaml from 'js-yaml';
import { runnerKey } from '../fixtures/runner-job';
import { spawnTracked } from '../helpers/child-processes';
import { startRedis } from '../helpers/redis-server';
import { redisUrl, uniquePrefix } from '../helpers/redis-url';
import { messageText, startSlackEmulator } from '../../sim/slack';
import type { JobData } from '../../src/runner/types';
import { runnerWorkerEntry } from './runner-harness';

/**
 * A Redis that does not answer at all (a partition, a frozen server) makes calls wait rather than fail. The job
 * must not stall in silence: once Redis has been silent for longer than the job lock lasts, the run stops, says
 * so in the thread (Slack still answers), and makes no call to the cluster; when Redis answers again a worker
 * resumes the job from its last completed step and its destructive step happens exactly once.
 */
describe('runner: Redis that stops answering', () => {
  it('the run stops and says so within seconds of the lock lapsing; the job resumes when Redis is back; nothing runs twice', async () => {
    const own = await startRedis();
    const slack = await startSlackEmulator({ signingSecret: 's', botToken: 'xoxb-t', users: [{ id: 'U0ALICE', name: 'alice' }], channels: [{ id: 'C0OPS', name: 'elk-ops' }] });
    const prefix = uniquePrefix('silent');
    const dir = mkdtempSync(join(tmpdir(), 'elk-ops-silent-'));
    const configFile = join(dir, 'elk-ops.yml');
    writeFileSync(
      configFile,
      yaml.dump({
        slack: { botToken: '${SLACK_BOT_TOKEN}', signingSecret: '${SLACK_SIGNING_SECRET}', apiUrl: slack.apiUrl },
        redis: { url: own.url, prefix },
        clock: { speed: 60 },
        worker: { concurrency: 1, lockDuration: '2s', stalledInterval: '1s' },
        clusters: { prod: { opsChannel: 'C0OPS', elasticsearch: { url: 'http://127.0.0.1:9' } } },
      }),
    );
    const logFile = join(dir, 'worker.log');
    const out = openSync(logFile, 'a');
    // The fixture job's "cluster" (its poll counters and destroy log) lives in the suite's Redis, which keeps answering.
    const child = spawnTracked(runnerWorkerEntry, ['worker'], {
      env: { ...process.env, SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 's', ELK_CONFIG: configFile, REDIS_URL: redisUrl(), DEMO_PREFIX: prefix, LOG_LEVEL: 'info' },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    const conn = new Redis(own.url, { maxRetriesPerRequest: null });
    const queue = new Queue<JobData>('elk-demo', { connection: conn, prefix });
    const probe = new Redis(redisUrl());
    const log = () => readFileSync(logFile, 'utf8').slice(-3000);
    const texts = () => slack.emulator.messages('elk-ops').flatMap((m) => [m, ...(m.thread_ts === m.ts || !m.thread_ts ? slack.emulator.thread('elk-ops', m.ts).slice(1) : [])]).map((m) => messageText(m));
    const until = async (what: string, ok: () => Promise<boolean> | boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms\n${texts().join('\n')}\n${log()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    let frozen = false;
    try {
      const data: JobData = { kind: 'demo', cluster: 'prod', requester: 'U0ALICE', channel: 'C0OPS', args: { items: 1, polls: 1000, pollMs: 3000, approve: false }, requestedAt: Date.now(), cursor: 0, state: {}, records: [], overrides: {} };
      await queue.add('demo', data, { jobId: 'demo-prod-silent' });
      await until('the job never started polling', async () => Number(await probe.get(runnerKey(prefix, 'polls:1'))) >= 2, 30_000);

      process.kill(own.pid, 'SIGSTOP');
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

      process.kill(own.pid, 'SIGCONT');
      frozen = false;
      await until('the job did not complete after Redis came back', async () => (await queue.getJobState('demo-prod-silent')) === 'completed', 40_000);
      expect(await probe.lrange(runnerKey(prefix, 'destroy-log'), 0, -1)).toEqual(['1']);
      expect(texts().filter((t) => /Resumed by worker/.test(t))).toHaveLength(1);
      console.log(`Redis frozen → thread told after ${toldMs} ms; resumed and completed after Redis came back`);
    } finally {
      if (frozen) process.kill(own.pid, 'SIGCONT');
      child.kill('SIGKILL');
      await queue.close().catch(() => undefined);
      conn.disconnect();
      await probe.del(runnerKey(prefix, 'polls:1'), runnerKey(prefix, 'destroy-log'), runnerKey(prefix, 'effect:1'));
      await probe.quit();
      await own.stop();
      await slack.close();
    }
  }, 120_000);
});
