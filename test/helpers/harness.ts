import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import * as yaml from 'js-yaml';
import type { Command } from '../../commands/types';
import { fileURLToPath } from 'node:url';
import { scaledClock, type Clock } from '../../src/clock';
import { parseConfig } from '../../src/config/load-config';
import type { Config } from '../../src/config/schema';
import { createLogger } from '../../src/log';
import { queueName, kindOfJobId } from '../../src/queues/names';
import { connectRedis } from '../../src/queues/redis';
import type { JobData, JobKind, JobModule } from '../../src/runner/types';
import { startRuntime, type Runtime } from '../../src/start-runtime';
import { startEstate, type Estate, type EstateOptions } from '../../sim/estate';
import { messageText, startSlackEmulator, type RunningSlackEmulator, type StoredMessage } from '../../sim/slack';
import { isRunning, killAndReap, spawnTracked } from './child-processes';
import { freePort } from './redis-server';
import { redisUrl, uniquePrefix } from './redis-url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const USERS = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL', dave: 'U0DAVE' } as const;
export const OPS_CHANNEL = 'C0OPS';
export const GENERAL_CHANNEL = 'C0GENERAL';
const SECRETS = { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_APP_TOKEN: 'xapp-1-A0EMULATOR-1-test' };

export type EstateLike = Estate;

export interface HarnessOptions {
  /** Options for startEstate, or an estate the test started itself (closed by the test). */
  estate?: EstateOptions | Estate;
  cluster?: string;
  /** Merged into the cluster's config (e.g. { reindex: { countChecks: 3 } }). */
  clusterConfig?: Record<string, unknown>;
  /** Merged into the top-level config (e.g. { access: { approvalTimeout: '2m' } }). */
  config?: Record<string, unknown>;
  /** Job kinds and commands for a fixture (default: the real ones). */
  modules?: Partial<Record<JobKind, JobModule<any, any>>>;
  commands?: Command<any>[];
  /** Worker entry file run in a child process (default: src/main.ts). */
  workerEntry?: string;
  /** Clock speed when there is no estate. */
  speed?: number;
  extraEnv?: Record<string, string>;
  /**
   * Where the workers run: a child process tests may SIGKILL (default), or this test process through the same
   * startRuntime(config, { role: 'worker' }) path — faster, for tests that never crash the worker.
   */
  worker?: 'process' | 'in-process';
  /** Start a worker right away (default true); false lets a crash test start its first worker with crashAt. */
  startWorker?: boolean;
  /** The Slack emulator applies Slack's published rate limits (chat.postMessage ~1/s per channel, chat.update ~50/min). */
  realisticRateLimits?: boolean;
  /** The bot connects in Socket Mode (slack.appToken): commands and clicks arrive over its socket, not HTTP. */
  socketMode?: boolean;
}

export interface Harness {
  config: Config;
  clock: Clock;
  prefix: string;
  slack: RunningSlackEmulator['emulator'];
  slackUrl: string;
  estate?: Estate;
  runtime: Runtime;
  command(user: keyof typeof USERS, text: string, channel?: string): Promise<string>;
  card(jobId: string): StoredMessage | undefined;
  thread(jobId: string): StoredMessage[];
  threadText(jobId: string): string;
  /** Waits for the job's newest undecided approval message and clicks its button. */
  approve(user: keyof typeof USERS, jobId?: string): Promise<string>;
  reject(user: keyof typeof USERS, jobId?: string): Promise<string>;
  /** Clicks a button on the job's open approval question. */
  clickApproval(user: keyof typeof USERS, jobId: string, actionId: string): Promise<string>;
  click(user: keyof typeof USERS, jobId: string, actionId: string): Promise<string>;
  waitForApproval(jobId: string, timeoutMs?: number): Promise<StoredMessage>;
  waitForJob(jobId: string, opts: { until: 'completed' | 'failed' | 'parked' | 'finished'; timeoutMs?: number }): Promise<JobSnapshot>;
  job(jobId: string): Promise<JobSnapshot | undefined>;
  waitForThread(jobId: string, pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Starts one more worker (a second one while one runs: both share the queues). crashAt needs worker: 'process'. */
  startWorker(opts?: { crashAt?: string }): Promise<void>;
  /** SIGKILLs every worker (if running) and starts a new one. */
  restartWorker(opts?: { crashAt?: string }): Promise<void>;
  /** SIGKILLs every worker process and waits until each is gone (in-process: closes the worker runtime). */
  killWorker(): Promise<void>;
  /** Asks the job to stop as `/elk cancel` does, on behalf of `user`, and returns the bot's answer. */
  cancel(user: keyof typeof USERS, jobId: string): Promise<string>;
  /** Pids of this harness's worker processes still running. */
  workerPids(): number[];
  /** Resolves when the worker process exits by itself (e.g. killed by ELK_CRASH_AT). */
  workerExited(timeoutMs?: number): Promise<number | null>;
  workerLog(): string;
  close(): Promise<void>;
}

export interface JobSnapshot {
  state: string;
  data: JobData;
  returnvalue: any;
  failedReason?: string;
}

function merge(a: any, b: any): any {
  if (!b || typeof b !== 'object' || Array.isArray(b)) return b ?? a;
  const out = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

/**
 * The whole bot as a user meets it: the Slack emulator in front, the bot (in this process) speaking Bolt over
 * HTTP with signatures, a real Redis, and the workers in a child process that tests may SIGKILL.
 */
export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const cluster = o.cluster ?? 'prod';
  const prefix = uniquePrefix('h');
  let estate: Estate | undefined;
  let ownEstate = false;
  if (o.estate && 'es' in o.estate) estate = o.estate as Estate;
  else if (o.estate) {
    estate = await startEstate(o.estate as EstateOptions);
    ownEstate = true;
  }
  const clock = estate?.clock ?? scaledClock(o.speed ?? 60);
  const slackStarted = await startSlackEmulator({
    signingSecret: SECRETS.SLACK_SIGNING_SECRET,
    botToken: SECRETS.SLACK_BOT_TOKEN,
    realisticRateLimits: o.realisticRateLimits,
    appToken: o.socketMode ? SECRETS.SLACK_APP_TOKEN : undefined,
    users: Object.entries(USERS).map(([name, id]) => ({ id, name })),
    channels: [
      { id: OPS_CHANNEL, name: 'elk-ops' },
      { id: GENERAL_CHANNEL, name: 'general' },
    ],
  });
  const slack = slackStarted.emulator;
  const botPort = await freePort();
  slack.setRequestUrl(`http://127.0.0.1:${botPort}/slack/events`);

  const doc = merge(
    {
      slack: {
        botToken: '${SLACK_BOT_TOKEN}',
        signingSecret: '${SLACK_SIGNING_SECRET}',
        ...(o.socketMode ? { appToken: '${SLACK_APP_TOKEN}' } : {}),
        apiUrl: slackStarted.apiUrl,
        port: botPort,
        pace: { perSecond: 20, burst: 5 },
      },
      redis: { url: redisUrl(), prefix },
      clock: { speed: clock.speed, origin: clock.origin },
      worker: { concurrency: 2, lockDuration: '2s', stalledInterval: '1s', predicateWait: '2m', predicatePoll: '1s' },
      clusters: {
        [cluster]: merge(
          {
            opsChannel: OPS_CHANNEL,
            elasticsearch: { url: estate?.es.url ?? 'http://127.0.0.1:9' },
            ...(estate?.aws
              ? { aws: { region: estate.aws.region, endpoint: estate.aws.url, groups: { masters: estate.groups?.masters ?? 'es-master', data: estate.groups?.data ?? 'es-data' } } }
              : {}),
          },
          o.clusterConfig,
        ),
      },
      access: {
        commands: {
          reindex: { users: [USERS.alice, USERS.bob, USERS.dave], channels: [OPS_CHANNEL] },
          upgrade: { users: [USERS.alice, USERS.bob, USERS.dave], channels: [OPS_CHANNEL] },
          demo: { users: [USERS.alice, USERS.bob, USERS.dave], channels: [OPS_CHANNEL] },
          'alert-test': { users: [USERS.alice, USERS.bob, USERS.dave], channels: [OPS_CHANNEL] },
        },
        approvers: [USERS.bob, USERS.dave],
        requesterMayApprove: false,
        approvalTimeout: '30m',
      },
    },
    o.config,
  );
  const dir = mkdtempSync(join(tmpdir(), 'elk-ops-harness-'));
  const configFile = join(dir, 'elk-ops.yml');
  writeFileSync(configFile, yaml.dump(doc));
  const awsEnv: Record<string, string> = estate?.aws
    ? { AWS_ACCESS_KEY_ID: estate.aws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: estate.aws.credentials.secretAccessKey, AWS_REGION: estate.aws.region }
    : {};
  const env = { ...process.env, ...SECRETS, ...awsEnv, ...(o.extraEnv ?? {}), ELK_CONFIG: configFile, REDIS_URL: redisUrl(), DEMO_PREFIX: prefix, LOG_LEVEL: 'warn' };
  Object.assign(process.env, awsEnv);
  const config = parseConfig(readFileSync(configFile, 'utf8'), env);
  const log = createLogger('harness', 'warn');
  const modules = o.modules ?? (await import('../../jobs/registry')).jobModules;
  const commands = o.commands ?? (await import('../../commands')).commands;
  const runtime = await startRuntime(config, { role: 'bot', log, modules, commands });

  // Every worker this harness started and that may still run: close() reaps them all, also after a failure.
  const workers = new Set<ChildProcess>();
  let workerExit: Promise<number | null> = Promise.resolve(null);
  let inProcess: Runtime[] = [];
  const logFile = join(dir, 'worker.log');
  const entry = o.workerEntry ?? join(ROOT, 'src/main.ts');
  const mode = o.worker ?? 'process';

  const startWorker = async ({ crashAt }: { crashAt?: string } = {}) => {
    if (mode === 'in-process') {
      // ELK_CRASH_AT kills the whole process: here that would be the test itself.
      if (crashAt) throw new Error('crashAt needs a worker process: start the harness with worker: "process"');
      inProcess.push(await startRuntime(config, { role: 'worker', log, modules, commands }));
      return;
    }
    const out = openSync(logFile, 'a');
    const child = spawnTracked(entry, ['worker'], {
      cwd: ROOT,
      env: { ...env, ...(crashAt ? { ELK_CRASH_AT: crashAt } : {}) },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    workers.add(child);
    workerExit = new Promise((res) =>
      child.once('exit', (code, signal) => {
        workers.delete(child);
        res(signal ? 137 : code);
      }),
    );
  };
  const killWorker = async () => {
    await Promise.all([...workers].map(killAndReap));
    workers.clear();
    const runtimes = inProcess;
    inProcess = [];
    for (const r of runtimes) await r.close();
  };
  const redis = connectRedis(redisUrl());
  const queues = new Map<JobKind, Queue<JobData>>();
  const queueOfKind = (kind: JobKind) => {
    if (!queues.has(kind)) queues.set(kind, new Queue<JobData>(queueName(kind), { connection: redis, prefix }));
    return queues.get(kind)!;
  };
  const queueOf = (jobId: string) => queueOfKind(kindOfJobId(jobId)!);
  /** Lets an in-process worker's close() return: a job it is running stops at its next safe point. */
  const cancelActive = async () => {
    for (const kind of Object.keys(modules) as JobKind[]) {
      for (const job of await queueOfKind(kind).getActive()) await redis.set(`${prefix}:cancel:${job.id}`, 'harness-close', 'EX', 3600);
    }
  };
  if (o.startWorker !== false) {
    try {
      await startWorker();
    } catch (err) {
      await runtime.close();
      throw err;
    }
  }

  const snapshot = async (jobId: string): Promise<JobSnapshot | undefined> => {
    // State first: a job read before it finished could carry no return value yet while its state says completed.
    const state = await queueOf(jobId).getJobState(jobId);
    const job = await queueOf(jobId).getJob(jobId);
    if (!job || state === 'unknown') return undefined;
    return { state, data: job.data, returnvalue: job.returnvalue, failedReason: job.failedReason };
  };

  // The first top-level message naming the job is its card: later ones may name it too (an alert thread links to
  // the job running on its cluster, a TEST alert to the alert-test job that sent it).
  const card = (jobId: string) => slack.messages(OPS_CHANNEL).find((m) => (!m.thread_ts || m.thread_ts === m.ts) && messageText(m).includes(jobId));
  const thread = (jobId: string) => {
    const c = card(jobId);
    return c ? slack.thread(OPS_CHANNEL, c.ts) : [];
  };

  const h: Harness = {
    config,
    clock,
    prefix,
    slack,
    slackUrl: slackStarted.url,
    estate,
    runtime,
    async command(user, text, channel = OPS_CHANNEL) {
      const r = await slack.slashCommand({ user: USERS[user], channel, text });
      if (r.status !== 200) throw new Error(`bot answered HTTP ${r.status} to /elk ${text}: ${JSON.stringify(r.body)}`);
      const body = r.body as { text?: string } | undefined;
      return body?.text ?? (r.shown ? messageText(r.shown as StoredMessage) : '');
    },
    card,
    thread,
    threadText: (jobId) => [card(jobId), ...thread(jobId).slice(1)].filter(Boolean).map((m) => messageText(m!)).join('\n'),
    async waitForApproval(jobId, timeoutMs = 30_000) {
      // The job's own record says which question is open; a stale button elsewhere in the thread is ignored.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const snap = await snapshot(jobId);
        const p = snap?.data.pendingApproval;
        const msg = p?.postedTs && snap?.data.thread ? findMessage(snap.data.thread.ts, p.postedTs) : undefined;
        if (msg && JSON.stringify(msg.blocks ?? []).includes('approval_approve')) return msg;
        if (Date.now() > deadline) throw new Error(`no approval request in ${jobId}'s thread within ${timeoutMs} ms\n${h.threadText(jobId)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async clickApproval(user: keyof typeof USERS, jobId: string, actionId: string) {
      const msg = await h.waitForApproval(jobId);
      return clickOn(user, msg, actionId);
    },
    async click(user, jobId, actionId) {
      const msg = await slack.waitUntil(
        () => [card(jobId), ...thread(jobId)].reverse().find((m) => m && JSON.stringify(m.blocks ?? []).includes(`"${actionId}"`)),
        { timeoutMs: 30_000, what: `a ${actionId} button in ${jobId}'s thread` },
      );
      return clickOn(user, msg!, actionId);
    },
    async approve(user, jobId) {
      return h.clickApproval(user, jobId ?? (await latestJobId()), 'approval_approve');
    },
    async reject(user, jobId) {
      return h.clickApproval(user, jobId ?? (await latestJobId()), 'approval_reject');
    },
    job: snapshot,
    async waitForJob(jobId, { until, timeoutMs = 60_000 }) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await snapshot(jobId);
        if (s) {
          const finished = s.state === 'completed' || s.state === 'failed';
          if (until === 'finished' && finished) return s;
          if (until === s.state) return s;
          if (until === 'parked' && s.state === 'delayed' && s.data.pendingApproval?.postedTs) return s;
          if (finished && until !== s.state && until !== 'finished') {
            throw new Error(`job ${jobId} ended ${s.state} (${s.failedReason ?? JSON.stringify(s.returnvalue)}) while waiting for ${until}\n--- thread ---\n${h.threadText(jobId)}`);
          }
        }
        if (Date.now() > deadline) {
          throw new Error(`job ${jobId} not ${until} within ${timeoutMs} ms (state ${s?.state})\n--- thread ---\n${h.threadText(jobId)}\n--- worker log ---\n${h.workerLog().slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async waitForThread(jobId, pattern, timeoutMs = 30_000) {
      await slack.waitUntil(() => pattern.test(h.threadText(jobId)), { timeoutMs, what: `${pattern} in ${jobId}'s thread` });
    },
    startWorker,
    async restartWorker(opts) {
      await killWorker();
      await startWorker(opts);
    },
    killWorker,
    cancel: (user, jobId) => h.command(user, `cancel ${jobId}`),
    workerPids: () => [...workers].filter(isRunning).map((c) => c.pid!),
    async workerExited(timeoutMs = 30_000) {
      return Promise.race([workerExit, new Promise<number | null>((_, rej) => setTimeout(() => rej(new Error('worker did not exit')), timeoutMs))]);
    },
    workerLog: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async close() {
      if (inProcess.length) await cancelActive().catch(() => undefined);
      await killWorker();
      await runtime.close();
      for (const q of queues.values()) await q.close();
      await redis.quit();
      await slackStarted.close();
      if (ownEstate) await estate!.close();
    },
  };

  function findMessage(threadTs: string, ts: string): StoredMessage | undefined {
    try {
      return slack.thread(OPS_CHANNEL, threadTs).find((m) => m.ts === ts);
    } catch {
      return undefined;
    }
  }

  async function clickOn(user: keyof typeof USERS, msg: StoredMessage, actionId: string): Promise<string> {
    const before = slack.ephemerals(USERS[user]).length;
    const edits = msg.revisions.length;
    const r = await slack.clickButton({ user: USERS[user], channel: OPS_CHANNEL, messageTs: msg.ts, actionId });
    if (r.status !== 200) throw new Error(`bot answered HTTP ${r.status} to the ${actionId} click`);
    // A click that counts is answered by the rewritten message (everyone sees it); a refused one by an ephemeral.
    const answer = await slack.waitUntil(() => slack.ephemerals(USERS[user]).slice(before)[0]?.text ?? (msg.revisions.length > edits ? messageText(msg) : undefined), {
      timeoutMs: 10_000,
      what: 'the answer to a click (an ephemeral, or the clicked message rewritten)',
    });
    return answer ?? '';
  }

  async function latestJobId(): Promise<string> {
    const msg = await slack.waitUntil(() => slack.messages(OPS_CHANNEL).filter((m) => !m.thread_ts || m.thread_ts === m.ts).pop(), { timeoutMs: 10_000, what: 'a job card' });
    const m = /job `([^`]+)`/.exec(messageText(msg));
    if (!m) throw new Error('the newest message in the ops channel is not a job card');
    return m[1];
  }

  return h;
}
