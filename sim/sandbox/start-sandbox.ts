import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parseConfig } from '../../src/config/load-config';
import type { Config } from '../../src/config/schema';
import type { Logger } from '../../src/log';
import type { Registry } from '../../src/run-main';
import { generateLogDocs } from '../log-docs';
import { timeSeriesIndexName } from '../elasticsearch/time-series';
import { startEstate, type Estate } from '../estate';
import { startSlackEmulator } from '../slack';
import { extendConsole } from '../slack/console-actions';
import { startRuntime } from '../../src/start-runtime';
import { alertSourceFrom, startAlertLoop, type AlertLoop } from './alert-loop';
import { startKnobsApi } from './knobs-api';
import { freePort, portOr, redisAnswers, startRedis } from './redis-server';
import { sandboxPanel } from './sandbox-panel';
import { DEFAULT_WORKER_ENTRY, SandboxWorkers } from './sandbox-workers';
import { spike5xx } from './spike-5xx';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../elk-ops.example.yml', import.meta.url));
/** The team's rules as the sandbox runs them (the example's ./rules is where a real installation keeps its own). */
const SANDBOX_RULES = fileURLToPath(new URL('./rules', import.meta.url));
/** The example config's one cluster, channel and region; the simulated estate is built to match them. */
const CLUSTER = 'sandbox';
const REGION = 'eu-west-1';
const USERS = [
  { id: 'U0ALICE', name: 'alice', real_name: 'Alice (operator)' },
  { id: 'U0BOB', name: 'bob', real_name: 'Bob (approver)' },
  { id: 'U0CAROL', name: 'carol', real_name: 'Carol (operator)' },
];
const CHANNELS = [
  { id: 'C0OPS', name: 'elk-ops' },
  { id: 'C0GENERAL', name: 'general' },
];
const DEFAULT_PORTS = { console: 3100, bot: 3000, es: 9200, aws: 4566, knobs: 3200 };
const DEFAULT_SPEED = 30;
/** Steady access logs (logstash-*): the time series' rate, and how far back they are seeded at start. */
const ACCESS_LOGS = { docsPerMinute: 120, historyMs: 20 * 60_000 };
/**
 * Real-time job lock for the sandbox's workers (production: 30 s). Someone who kills a worker from the console
 * should see the takeover within seconds; the mechanism (lock lapses, stalled check, resume) is the same.
 */
const SANDBOX_LOCK = { lockDuration: 5_000, stalledInterval: 2_000 };

export interface SandboxOptions {
  /** Kernel-chosen ports everywhere (tests), instead of the memorable defaults. */
  freePorts?: boolean;
  /** Where the banner goes. */
  print?: (text: string) => void;
  /** Clock milliseconds per real millisecond: fast enough that an upgrade finishes while someone watches. */
  speed?: number;
  /** Worker processes started with the sandbox (default 1); more can be started from the console. */
  workers?: number;
  /** The worker process's entry (default worker-main.ts, every job); tests pass one with their own registry. */
  workerEntry?: string;
  /** Log level of the worker processes (default: the sandbox logger's). */
  workerLogLevel?: string;
}

export interface Sandbox {
  urls: { console: string; bot: string; es: string; aws: string; knobs: string };
  redisUrl: string;
  estate: Estate;
  workers: SandboxWorkers;
  /** What plays Elastalert: the real daemon or the rule engine. */
  alerts: AlertLoop;
  close(): Promise<void>;
}

/**
 * The whole product on one machine: simulated Slack, Elasticsearch and EC2, a Redis, the bot in this process
 * and its workers as child processes (so killing one is a real SIGKILL), configured by elk-ops.example.yml so
 * the example cannot rot. Only what must point at the simulators is changed: URLs, secrets (made up per run),
 * the clock, and a shorter worker lock (SANDBOX_LOCK).
 *
 * Every start is a clean start. The simulated cluster lives in this process's memory and goes with it, and a
 * job resumed against a rebuilt cluster would act on nodes and indices that are not the ones it recorded; so
 * the jobs go too (a redis-server of our own keeps nothing, a shared Redis gets a fresh prefix). Resume is
 * shown within one run instead: the console's "Kill a worker" and "Start a worker".
 */
export async function startSandbox(registry: Registry, log: Logger, env: NodeJS.ProcessEnv, o: SandboxOptions = {}): Promise<Sandbox> {
  const print = o.print ?? ((text: string) => console.log(text));
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((e: Error) => log.warn({ err: e.message }, 'sandbox: close step failed'));
  };
  try {
    const redis = await sandboxRedis(env);
    closers.push(redis.close);
    const speed = o.speed ?? (env.SANDBOX_SPEED ? positive('SANDBOX_SPEED', env.SANDBOX_SPEED) : DEFAULT_SPEED);
    const { estate, series } = await startSandboxEstate(speed);
    closers.push(() => estate.close());

    const secrets = { SLACK_BOT_TOKEN: `xoxb-sandbox-${token()}`, SLACK_SIGNING_SECRET: token(), ELASTALERT_WEBHOOK_SECRET: token() };
    const pick = (name: keyof typeof DEFAULT_PORTS) => (o.freePorts ? freePort() : portOr(DEFAULT_PORTS[name]));
    // An explicit port is used or refused, never silently swapped: the person asked for that one.
    const chosen = (name: keyof typeof DEFAULT_PORTS, variable: string) => (!o.freePorts && env[variable] ? port(variable, env[variable]!) : pick(name));
    const consolePort = await chosen('console', 'SANDBOX_PORT');
    const botPort = await pick('bot');
    const slack = await inUseHint('SANDBOX_PORT', consolePort, () => startSlackEmulator({
      port: consolePort,
      signingSecret: secrets.SLACK_SIGNING_SECRET,
      botToken: secrets.SLACK_BOT_TOKEN,
      requestUrl: `http://127.0.0.1:${botPort}/slack/events`,
      users: USERS,
      channels: CHANNELS,
    }));
    closers.push(slack.close);
    const knobsPort = await chosen('knobs', 'SANDBOX_KNOBS_PORT');
    const knobs = await inUseHint('SANDBOX_KNOBS_PORT', knobsPort, () => startKnobsApi(estate, knobsPort));
    closers.push(knobs.close);

    // The AWS SDK reads credentials from the process environment, so the simulator's go there, not in env.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: estate.aws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: estate.aws.credentials.secretAccessKey, AWS_REGION: REGION });
    const configEnv = { ...env, ...secrets, ES_URL: estate.es.url, AWS_REGION: REGION, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix };
    const config = pointAtSimulators(parseConfig(readFileSync(EXAMPLE_CONFIG, 'utf8'), configEnv, EXAMPLE_CONFIG), estate, slack.apiUrl);
    const runtime = await startRuntime(config, { role: 'bot', log, ...registry, port: botPort });
    closers.push(() => runtime.close());
    // Workers stop before the bot and Redis (closers run in reverse), so they can hand their jobs back.
    const workers = new SandboxWorkers(config, log, o.workerEntry ?? DEFAULT_WORKER_ENTRY, o.workerLogLevel ?? log.level);
    closers.push(() => workers.close());
    const spike = spike5xx({ clock: estate.clock, currentIndex: () => series.currentIndex(), indexDocs: (i, docs) => estate.es.cluster.indexDocs(i, docs) });
    closers.push(async () => spike.stop());
    // Elastalert's part: the rules run every clock minute and post their matches to the bot's webhook.
    const alertLoop = await startAlertLoop({ config, cluster: CLUSTER, clock: estate.clock, botUrl: `http://127.0.0.1:${botPort}`, secret: secrets.ELASTALERT_WEBHOOK_SECRET, log, source: alertSourceFrom(env.SANDBOX_ALERTS) });
    closers.push(() => alertLoop.close());
    await Promise.all(Array.from({ length: o.workers ?? 1 }, () => workers.start()));
    extendConsole(slack.emulator, sandboxPanel({ estate, workers, spike, lockDurationMs: config.worker.lockDuration }));

    const urls = { console: slack.url, bot: `http://127.0.0.1:${botPort}`, es: estate.es.url, aws: estate.aws.url, knobs: knobs.url };
    print(banner(urls, redis.url, redis.spawned, config, workers, alertLoop));
    return { urls, redisUrl: redis.url, estate, workers, alerts: alertLoop, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Slack's API URL, the EC2 endpoint and the clock have no env reference in the example: production leaves them out. */
function pointAtSimulators(config: Config, estate: Estate, slackApiUrl: string): Config {
  const cluster = config.clusters[CLUSTER];
  if (!cluster?.aws) throw new Error(`${EXAMPLE_CONFIG} must declare cluster ${CLUSTER} with an aws section; the sandbox simulates it`);
  return {
    ...config,
    slack: { ...config.slack, apiUrl: slackApiUrl, host: '127.0.0.1' },
    clock: { speed: estate.clock.speed, origin: estate.clock.origin },
    worker: { ...config.worker, ...SANDBOX_LOCK },
    elastalert: { ...config.elastalert, rulesDir: SANDBOX_RULES },
    clusters: { ...config.clusters, [CLUSTER]: { ...cluster, aws: { ...cluster.aws, endpoint: estate.aws.url } } },
  };
}

/** Three masters and six data nodes on 7.17.25 whose launch templates already say 8.15.0, and logs to reindex. */
async function startSandboxEstate(speed: number): Promise<{ estate: Estate; series: ReturnType<Estate['es']['cluster']['startTimeSeries']> }> {
  const day = (d: number) => Date.UTC(2024, 0, d);
  const estate = await startEstate({ clusterName: CLUSTER, masters: 3, data: 6, version: '7.17.25', targetVersion: '8.15.0', speed, region: REGION });
  for (let d = 1; d <= 5; d++) {
    const docs = generateLogDocs({ count: 2000, from: day(d), to: day(d + 1), seed: d }).map((doc) => ({ ...doc }));
    estate.es.cluster.createIndex(`logs-2024.01.0${d}`, { shards: 2, replicas: 1, docs });
  }
  // Added after the indices exist, as when someone changes the mappings: the old indices now need a rebuild.
  estate.es.cluster.templates.set('logs', {
    name: 'logs',
    index_patterns: ['logs-*'],
    priority: 1,
    template: { mappings: { properties: { host: { type: 'keyword' }, path: { type: 'keyword' }, Status: { type: 'short' } } } },
  });
  seedAccessLogHistory(estate);
  const series = estate.es.cluster.startTimeSeries({ prefix: 'logstash-', every: 'hour', docsPerMinute: ACCESS_LOGS.docsPerMinute, shards: 1, replicas: 1 });
  return { estate, series };
}

/**
 * The access logs of the minutes before the start, as a real cluster has them. A spike rule checks nothing until
 * it has seen two timeframes of events; with logs only from the start on, a spike pressed in the first minutes
 * was already in the reference window once the rule began to check, and never fired.
 */
function seedAccessLogHistory(estate: Estate): void {
  const now = estate.clock.now();
  const count = Math.round((ACCESS_LOGS.docsPerMinute * ACCESS_LOGS.historyMs) / 60_000);
  const byIndex = new Map<string, Array<Record<string, unknown>>>();
  for (const doc of generateLogDocs({ count, from: now - ACCESS_LOGS.historyMs, to: now - 1, seed: 9_000 })) {
    const name = timeSeriesIndexName('logstash-', 'hour', Date.parse(doc['@timestamp']));
    if (!byIndex.has(name)) byIndex.set(name, []);
    byIndex.get(name)!.push({ ...doc });
  }
  for (const [name, docs] of byIndex) estate.es.cluster.createIndex(name, { shards: 1, replicas: 1, docs });
}

interface SandboxRedis {
  url: string;
  prefix: string;
  spawned: boolean;
  close(): Promise<void>;
}

/**
 * REDIS_URL, else a local Redis on 6379, else a redis-server of our own. A shared Redis gets a prefix of this
 * run's own, removed on close: jobs left by an earlier sandbox would otherwise resume against an estate that
 * no longer exists.
 */
async function sandboxRedis(env: NodeJS.ProcessEnv): Promise<SandboxRedis> {
  const existing = env.REDIS_URL ?? ((await redisAnswers('redis://127.0.0.1:6379')) ? 'redis://127.0.0.1:6379' : undefined);
  if (!existing) {
    const own = await startRedis();
    return { url: own.url, prefix: 'elk-ops', spawned: true, close: own.stop };
  }
  const prefix = `elk-ops-sandbox-${Date.now().toString(36)}`;
  return { url: existing, prefix, spawned: false, close: () => deleteKeys(existing, `${prefix}:*`) };
}

async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function port(variable: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${variable}=${value} is not a TCP port: use a number from 1 to 65535, or unset it for the default (a free port if that is taken)`);
  return n;
}

function positive(variable: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${variable}=${value} is not a positive number: clock milliseconds per real millisecond, e.g. ${DEFAULT_SPEED}`);
  return n;
}

async function inUseHint<T>(variable: string, p: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${p} is in use (${variable}): set ${variable} to a free port, or unset it to let the sandbox pick one`);
    throw e;
  }
}

function token(): string {
  return randomBytes(16).toString('hex');
}

/** Where to click and what is running; secrets stay out of it. */
function banner(urls: Sandbox['urls'], redisUrl: string, spawned: boolean, config: Config, workers: SandboxWorkers, alerts: AlertLoop): string {
  const redisNote = spawned ? 'a redis-server started for this run, empty' : `fresh prefix ${config.redis.prefix}, removed on exit`;
  const pids = workers.list().map((w) => w.pid).join(', ') || 'none';
  return [
    '',
    '  elk-ops sandbox is running',
    `  Slack console   open ${urls.console} in a browser; act as alice, type /elk help`,
    `  bot             ${urls.bot}/slack/events   (health: ${urls.bot}/healthz)`,
    `  Elasticsearch   ${urls.es}   (simulated cluster "${CLUSTER}", 3 masters + 6 data nodes, 7.17.25, templates at 8.15.0)`,
    `  AWS (EC2, ASG)  ${urls.aws}   (region ${REGION}, groups es-master, es-data)`,
    `  fault knobs     ${urls.knobs}/knobs   (GET reads them, POST JSON sets them; durations in clock ms, lists are replaced)`,
    `                  e.g. curl -d '{"es":{"refreshLagMs":2000,"neverJoin":["es-data-3"]},"aws":{"failBoot":1}}' ${urls.knobs}/knobs`,
    `  Redis           ${redisUrl.replace(/\/\/[^@]*@/, '//')}   (${redisNote})`,
    `  workers         child process${workers.list().length === 1 ? '' : 'es'} ${pids}; kill one or start another from the console's Sandbox panel to watch a job resume`,
    `  alerts          sim/sandbox/rules run every clock minute and post to the bot's /elastalert/post: "Start a 5xx spike" opens an alert thread`,
    `                  run by ${alerts.source} (SANDBOX_ALERTS=elastalert|engine)`,
    `  clock           ${config.clock.speed}x real time (SANDBOX_SPEED)`,
    '  This is a clean start: the simulated cluster lives in this process and is rebuilt on every start, so no job',
    '  of an earlier run is kept. Ctrl-C stops everything; running jobs are handed back, then dropped with the cluster.',
    '',
  ].join('\n');
}
