import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parseConfig } from '../../src/config/load-config';
import type { Config } from '../../src/config/schema';
import type { Logger } from '../../src/log';
import type { Registry } from '../../src/run-main';
import { generateLogDocs } from '../log-docs';
import { startEstate, type Estate } from '../estate';
import { startSlackEmulator } from '../slack';
import { startRuntime } from '../../src/start-runtime';
import { startKnobsApi } from './knobs-api';
import { freePort, portOr, redisAnswers, startRedis } from './redis-server';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../elk-ops.example.yml', import.meta.url));
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

export interface SandboxOptions {
  /** Kernel-chosen ports everywhere (tests), instead of the memorable defaults. */
  freePorts?: boolean;
  /** Where the banner goes. */
  print?: (text: string) => void;
  /** Clock milliseconds per real millisecond: fast enough that an upgrade finishes while someone watches. */
  speed?: number;
}

export interface Sandbox {
  urls: { console: string; bot: string; es: string; aws: string; knobs: string };
  redisUrl: string;
  close(): Promise<void>;
}

/**
 * The whole product on one machine: simulated Slack, Elasticsearch and EC2, a Redis, and bot plus workers in
 * this process, configured by elk-ops.example.yml so the example cannot rot. Only what must point at the
 * simulators is changed: URLs, secrets (made up per run) and the clock.
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
    const estate = await startSandboxEstate(o.speed ?? 30);
    closers.push(() => estate.close());

    const secrets = { SLACK_BOT_TOKEN: `xoxb-sandbox-${token()}`, SLACK_SIGNING_SECRET: token(), ELASTALERT_WEBHOOK_SECRET: token() };
    const pick = (name: keyof typeof DEFAULT_PORTS) => (o.freePorts ? freePort() : portOr(DEFAULT_PORTS[name]));
    const consolePort = env.SANDBOX_PORT ? Number(env.SANDBOX_PORT) : await pick('console');
    const botPort = await pick('bot');
    const slack = await startSlackEmulator({
      port: consolePort,
      signingSecret: secrets.SLACK_SIGNING_SECRET,
      botToken: secrets.SLACK_BOT_TOKEN,
      requestUrl: `http://127.0.0.1:${botPort}/slack/events`,
      users: USERS,
      channels: CHANNELS,
    });
    closers.push(slack.close);
    const knobs = await startKnobsApi(estate, env.SANDBOX_KNOBS_PORT ? Number(env.SANDBOX_KNOBS_PORT) : await pick('knobs'));
    closers.push(knobs.close);

    // The AWS SDK reads credentials from the process environment, so the simulator's go there, not in env.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: estate.aws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: estate.aws.credentials.secretAccessKey, AWS_REGION: REGION });
    const configEnv = { ...env, ...secrets, ES_URL: estate.es.url, AWS_REGION: REGION, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix };
    const config = pointAtSimulators(parseConfig(readFileSync(EXAMPLE_CONFIG, 'utf8'), configEnv, EXAMPLE_CONFIG), estate, slack.apiUrl);
    const runtime = await startRuntime(config, { role: 'all', log, ...registry, port: botPort });
    closers.push(() => runtime.close());

    const urls = { console: slack.url, bot: `http://127.0.0.1:${botPort}`, es: estate.es.url, aws: estate.aws.url, knobs: knobs.url };
    print(banner(urls, redis.url, redis.spawned, config));
    return { urls, redisUrl: redis.url, close };
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
    clusters: { ...config.clusters, [CLUSTER]: { ...cluster, aws: { ...cluster.aws, endpoint: estate.aws.url } } },
  };
}

/** Three masters and six data nodes on 7.17.25 whose launch templates already say 8.15.0, and logs to reindex. */
async function startSandboxEstate(speed: number): Promise<Estate> {
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
  estate.es.cluster.startTimeSeries({ prefix: 'logstash-', every: 'hour', docsPerMinute: 120, shards: 1, replicas: 1 });
  return estate;
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

function token(): string {
  return randomBytes(16).toString('hex');
}

/** Where to click and what is running; secrets stay out of it. */
function banner(urls: Sandbox['urls'], redisUrl: string, spawned: boolean, config: Config): string {
  const redisNote = spawned ? 'a redis-server started for this run' : `prefix ${config.redis.prefix}, removed on exit`;
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
    `  clock           ${config.clock.speed}x real time`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}
