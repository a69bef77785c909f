import type { CustomRoute } from '@slack/bolt';
import { LogLevel, WebClient } from '@slack/web-api';
import type { Command } from '../commands/types';
import { JobService } from './bot/job-service';
import { createBot } from './bot/create-bot';
import { scaledClock, type Clock } from './clock';
import type { Config } from './config/schema';
import type { Logger } from './log';
import { ClusterLock } from './queues/cluster-lock';
import { connectRedis } from './queues/redis';
import type { Redis } from 'ioredis';
import { ApprovalStore } from './runner/approval-store';
import { CancelFlags } from './runner/cancel-flag';
import type { JobKind, JobModule } from './runner/types';
import { ChannelPacer } from './slack/channel-pacer';
import { slackPoster } from './slack/slack-poster';
import { startWorkers } from './worker/start-workers';
import { AlertGroups } from './alerts/alert-groups';
import { alertQueue } from './alerts/alert-queue';
import { startAlertDelivery } from './alerts/deliver-alerts';
import { webhookRoutes } from './alerts/webhook-routes';
import { waitAtMost } from './wait-at-most';

export type Role = 'bot' | 'worker' | 'all';

export interface RuntimeOptions {
  role: Role;
  log: Logger;
  modules: Partial<Record<JobKind, JobModule<any, any>>>;
  commands: Command<any>[];
  routes?: CustomRoute[];
  crashAt?: string;
  /** HTTP port for the bot; defaults to config.slack.port. */
  port?: number;
}

export interface Runtime {
  clock: Clock;
  jobs?: JobService;
  close(): Promise<void>;
}

/** Starts the bot, the workers, or both, on one config. Shutdown closes workers first so steps finish. */
export async function startRuntime(config: Config, o: RuntimeOptions): Promise<Runtime> {
  const clock = scaledClock(config.clock.speed, config.clock.origin);
  const redis = connectRedis(config.redis.url);
  const prefix = config.redis.prefix;
  // 429s are waited out for as long as Retry-After says (never dropped); other failures back off briefly.
  const client = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 10, factor: 2, minTimeout: 250, maxTimeout: 30_000, randomize: true },
  });
  const slack = slackPoster(client, new ChannelPacer(config.slack.pace.perSecond, config.slack.pace.burst));
  const shared = { config, clock, redis, lock: new ClusterLock(redis, prefix), approvals: new ApprovalStore(redis, prefix), cancels: new CancelFlags(redis, prefix), slack };
  const closers: (() => Promise<void>)[] = [];
  let jobs: JobService | undefined;

  if (o.role !== 'bot') {
    const workers = startWorkers({ ...shared, modules: o.modules, log: o.log, crashAt: o.crashAt }, config.redis.url);
    closers.push(() => workers.close());
    // Elastalert alerts: counted into groups and posted as alert threads (src/alerts).
    const alerts = startAlertDelivery({ config, clock, slack, client, log: o.log });
    closers.push(() => alerts.close());
  }
  if (o.role !== 'worker') {
    const kinds = (Object.entries(o.modules) as [JobKind, JobModule][]).map(([kind, m]) => ({ kind, destructive: m.definition.destructive }));
    jobs = new JobService({ ...shared, kinds, log: o.log });
    // The Elastalert webhooks persist each alert to this queue before answering.
    // A connection of its own that sends what concurrent requests ask in one tick as one write: at a burst's rate
    // the syscalls, not Redis, were the bot's cost per alert.
    const intake = connectRedis(config.redis.url, { enableAutoPipelining: true });
    const alertsIn = alertQueue(intake, prefix, o.log);
    // The webhooks first: Bolt compiles each custom route's pattern on every request until one matches.
    const routes = [...webhookRoutes({ config, clock, queue: alertsIn, redis: intake, log: o.log }), ...(o.routes ?? [])];
    const alerts = { groups: new AlertGroups(redis, prefix), clock };
    const app = createBot({ deps: { config, jobs, slack, log: o.log, alerts }, commands: o.commands, routes });
    await app.start({ port: o.port ?? config.slack.port, host: config.slack.host });
    closers.push(() => app.stop() as Promise<void>, () => jobs!.close(), () => alertsIn.close(), () => closeRedis(intake));
  }
  return {
    clock,
    jobs,
    close: async () => {
      for (const close of closers) await close();
      await closeRedis(redis);
    },
  };
}

/** QUIT waits for a reply that an unreachable Redis never sends; give it a second, then just drop the socket. */
async function closeRedis(redis: Redis): Promise<void> {
  await waitAtMost(redis.quit().then(() => undefined), 1000, undefined);
  redis.disconnect();
}
