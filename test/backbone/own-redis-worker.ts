import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import * as yaml from 'js-yaml';
import { spawnTracked } from '../helpers/child-processes';
import { startRedis, type RunningRedis } from '../helpers/redis-server';
import { redisUrl, uniquePrefix } from '../helpers/redis-url';
import { messageText, startSlackEmulator } from '../../sim/slack';
import type { JobData } from '../../src/runner/types';
import { runnerWorkerEntry } from './runner-harness';

export interface OwnRedisWorker {
  /** The worker's own redis-server: tests stop or freeze it. */
  redis: RunningRedis;
  slack: Awaited<ReturnType<typeof startSlackEmulator>>;
  prefix: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  queue: Queue<JobData>;
  /** The test's own connection to that Redis closed (before the Redis is stopped: no reconnect noise). */
  closeQueue(): Promise<void>;
  /** A fixture job that polls its wait 1000 times (3 s each): it runs until the test moves it on. */
  addDemo(jobId: string): Promise<void>;
  log(): string;
  /** Every message the bot posted in #elk-ops, thread replies included, as rendered text. */
  texts(): string[];
  /** Waits for `ok`; past `ms` fails with `what`, the messages and the worker's log. */
  until(what: string, ok: () => Promise<boolean> | boolean, ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A runner worker process whose Redis is its own (not the suite's), for tests that take that Redis away.
 * The fixture job's "cluster" (its poll counters and destroy log) stays in the suite's Redis, which keeps answering.
 */
export async function startOwnRedisWorker(name: string): Promise<OwnRedisWorker> {
  const redis = await startRedis();
  const slack = await startSlackEmulator({ signingSecret: 's', botToken: 'xoxb-t', users: [{ id: 'U0ALICE', name: 'alice' }], channels: [{ id: 'C0OPS', name: 'elk-ops' }] });
  const prefix = uniquePrefix(name);
  const dir = mkdtempSync(join(tmpdir(), `elk-ops-${name}-`));
  const configFile = join(dir, 'elk-ops.yml');
  writeFileSync(
    configFile,
    yaml.dump({
      slack: { botToken: '${SLACK_BOT_TOKEN}', signingSecret: '${SLACK_SIGNING_SECRET}', apiUrl: slack.apiUrl },
      redis: { url: redis.url, prefix },
      clock: { speed: 60 },
      worker: { concurrency: 1, lockDuration: '2s', stalledInterval: '1s' },
      clusters: { prod: { opsChannel: 'C0OPS', elasticsearch: { url: 'http://127.0.0.1:9' } } },
    }),
  );
  const logFile = join(dir, 'worker.log');
  const out = openSync(logFile, 'a');
  const child = spawnTracked(runnerWorkerEntry, ['worker'], {
    env: { ...process.env, SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 's', ELK_CONFIG: configFile, REDIS_URL: redisUrl(), DEMO_PREFIX: prefix, LOG_LEVEL: 'info' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<number | null>((res) => child.once('exit', (code, signal) => res(signal ? 137 : code)));
  const log = () => readFileSync(logFile, 'utf8').slice(-3000);
  const texts = () =>
    slack.emulator
      .messages('elk-ops')
      .flatMap((m) => [m, ...(m.thread_ts === m.ts || !m.thread_ts ? slack.emulator.thread('elk-ops', m.ts).slice(1) : [])])
      .map((m) => messageText(m));
  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue<JobData>('elk-demo', { connection: conn, prefix });
  const closeQueue = async () => {
    await queue.close().catch(() => undefined);
    conn.disconnect();
  };
  return {
    redis,
    slack,
    prefix,
    child,
    exited,
    queue,
    closeQueue,
    async addDemo(jobId) {
      const data: JobData = { kind: 'demo', cluster: 'prod', requester: 'U0ALICE', channel: 'C0OPS', args: { items: 1, polls: 1000, pollMs: 3000, approve: false }, requestedAt: Date.now(), cursor: 0, state: {}, records: [], overrides: {} };
      await queue.add('demo', data, { jobId });
    },
    log,
    texts,
    async until(what, ok, ms) {
      const deadline = Date.now() + ms;
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms\n${texts().join('\n')}\n${log()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      child.kill('SIGKILL');
      await closeQueue();
      await redis.stop();
      await slack.close();
    },
  };
}
