/**
 * The delivery side (worker role): a BullMQ worker counts each accepted alert into its group (atomically,
 * idempotently), and a flush loop turns groups that changed into a few Slack calls — the parent posted once,
 * then at most one reply and one in-place parent update per group per `flushInterval`, whatever the burst.
 *
 * Crash safety: a SIGKILLed worker's alert jobs are re-run by the next worker (BullMQ stalled jobs) and the
 * group's seen-set makes the re-run a no-op; a flush is done under a per-group lock that expires with its
 * holder, and every post is announced in Redis (an intent with the block_id it carries) before it is sent, so
 * the next flusher first looks in the channel for it instead of posting it a second time.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock';
import type { Config } from '../config/schema';
import type { Logger } from '../log';
import { logQueueErrors } from '../queues/log-queue-errors';
import { connectRedis } from '../queues/redis';
import { WORKER_ID } from '../runner/worker-id';
import type { SlackPoster } from '../slack/slack-poster';
import { peakOf, RuleBook, summarize, topPairs } from './alert-content';
import { esAlertCounts, type AlertCountsPort } from './alert-counts';
import { esAlertBreakdown, type BreakdownPort } from './alert-breakdown';
import { parentMarker, parentMessage, replyMarker, replyMessage, supersededMessage, utc } from './alert-blocks';
import { AlertGroups, groupId, type GroupState } from './alert-groups';
import { ALERT_QUEUE, type AlertJobData } from './alert-queue';
import { routeAlert } from './route-alert';
import { RunningJobs } from './running-job';
import { threadExtras } from './thread-extras';

export interface DeliveryDeps {
  config: Config;
  clock: Clock;
  slack: SlackPoster;
  client: WebClient;
  log: Logger;
  /** How often the flush loop looks for due groups (real ms). */
  pollMs?: number;
  /** The chart's counts; default: the rule's query on the alert's cluster through the Elasticsearch client. */
  counts?: AlertCountsPort;
  /** The "what moved" terms; default: the rule's query on the alert's cluster through the Elasticsearch client. */
  breakdown?: BreakdownPort;
}

const LOCK_TTL_MS = 15_000;
const MAX_NOTES_PER_REPLY = 40;

export function startAlertDelivery(d: DeliveryDeps): { close(): Promise<void>; groups: AlertGroups } {
  const { config, clock, log } = d;
  const a = config.elastalert.alerts;
  const redis = connectRedis(config.redis.url);
  const groups = new AlertGroups(redis, config.redis.prefix);
  const rules = new RuleBook(config, log);
  const jobs = new RunningJobs(redis, config.redis.prefix, log);
  const extras = { config, groups, slack: d.slack, client: d.client, rules, counts: d.counts ?? esAlertCounts(config), breakdown: d.breakdown ?? esAlertBreakdown(config), jobs, log };

  const process = async (job: Job<AlertJobData>) => {
    const alert = job.data.alert;
    const route = routeAlert(config, alert);
    if (!route) {
      throw new UnrecoverableError(`no channel for alert rule "${alert.rule}": add elastalert.routes."${alert.rule}" (or "*") or elastalert.alerts.defaultChannel to the config`);
    }
    const cluster = route.cluster ?? alert.cluster;
    const summary = summarize(alert, rules.find(alert.test?.rule ?? alert.rule, cluster), log);
    const gid = groupId(route.channel, alert.rule, alert.queryKey?.value);
    // Indexed before it is counted, so every counted alert is found by the upgrade's no_open_alert_on_cluster.
    if (cluster) await groups.indexCluster(cluster, gid);
    const sample = [utc(alert.matchTs ?? alert.receivedAt), ...topPairs(alert).map((p) => p.split('\t')[1]), summary.spike ? `${summary.spike.current}/${summary.spike.reference}` : '']
      .filter(Boolean)
      .join(' · ')
      .slice(0, 300);
    const res = await groups.apply(gid, {
      alertId: alert.id,
      // The bot's acceptance time, not this worker's: a job re-run after a crash counts at the time it arrived.
      now: alert.receivedAt,
      nowReal: Date.now(),
      matchTs: alert.matchTs,
      peak: peakOf(alert),
      sample,
      groupWindow: a.groupWindow,
      reopenWindow: a.reopenWindow,
      rule: alert.rule,
      qkField: alert.queryKey?.field,
      qkValue: alert.queryKey?.value,
      channel: route.channel,
      cluster,
      summary: summary as Record<string, unknown>,
      top: topPairs(alert),
      reopenNote: `🔁 *Fired again* at ${utc(alert.matchTs ?? alert.receivedAt)}, after it was resolved`,
      severity: route.severity,
    });
    log.info({ rule: alert.rule, alert: alert.id, group: gid, outcome: res.outcome, channel: route.channel, via: route.via }, 'alert counted');
    return res;
  };

  const worker = new Worker<AlertJobData>(ALERT_QUEUE, process, {
    // Recorded on every job it takes (processedBy): which worker counted an alert is then on record.
    name: WORKER_ID,
    connection: connectRedis(config.redis.url),
    prefix: config.redis.prefix,
    concurrency: 16,
    lockDuration: config.worker.lockDuration,
    stalledInterval: config.worker.stalledInterval,
    maxStalledCount: 1000,
  });
  logQueueErrors(worker, log, { what: 'worker' });
  worker.on('failed', (job, err) => log.error({ alert: job?.id, err: err.message }, 'alert not delivered'));

  /** Was the post announced by `marker` made? ts if found, null if surely not, undefined if Slack cannot tell us. */
  const findPosted = async (g: GroupState, marker: string, at: number): Promise<string | null | undefined> => {
    try {
      const oldest = String(Math.floor(at / 1000) - 120);
      const res = g.intent?.kind === 'reply'
        ? await d.client.conversations.replies({ channel: g.channel, ts: g.threadTs, oldest, limit: 200 })
        : await d.client.conversations.history({ channel: g.channel, oldest, limit: 200 });
      const m = (res.messages ?? []).find((x) => JSON.stringify(x.blocks ?? []).includes(`"${marker}"`));
      return m?.ts ?? null;
    } catch (e) {
      log.warn({ err: (e as Error).message, group: g.gid }, 'cannot check whether a post before the crash reached Slack (grant channels:history); it may show twice');
      return undefined;
    }
  };

  const recover = async (g: GroupState) => {
    const i = g.intent!;
    const ts = await findPosted(g, i.marker, i.at);
    if (ts && i.kind === 'parent') await groups.parentPosted(g.gid, ts, -1);
    else if (ts) await groups.consume(g.gid, i);
    else await groups.clearIntent(g.gid);
    log.info({ group: g.gid, kind: i.kind, found: !!ts }, 'recovered an interrupted alert post');
  };

  const flush = async (gid: string) => {
    const lock = await groups.lock(gid, LOCK_TTL_MS);
    if (!lock) return;
    try {
      let g = await groups.get(gid);
      if (!g) return void (await redis.zrem(groups.dueKey, gid));
      if (g.intent) {
        await recover(g);
        g = (await groups.get(gid))!;
      }
      if (g.prevTs) {
        await d.slack.update(g.channel, g.prevTs, supersededMessage(g.rule)).catch((e) => log.warn({ err: (e as Error).message }, 'could not close the previous alert thread'));
        await groups.prevDone(gid);
      }
      const now = clock.now();
      if (g.threadTs && g.silenceMode === 'time' && g.silenceUntil <= now) {
        await groups.decide(gid, { epi: g.epi, threadTs: g.threadTs, set: { silenceMode: '', silenceUntil: 0 }, note: `🔔 Silence ended at ${utc(g.silenceUntil)}; new alerts are posted again`, requires: 'silenced' });
        g = (await groups.get(gid))!;
      }
      if (g.threadTs && g.state === 'open' && now - g.lastRecv >= a.quietPeriod) {
        const quiet = `✅ *Resolved*: no alert for ${Math.round(a.quietPeriod / 60_000)} min (last at ${utc(g.lastMatch ?? g.lastRecv)}); ${g.count} in this thread`;
        if (await groups.resolveIfQuiet(gid, g.lastRecv, now, quiet)) log.info({ group: gid, rule: g.rule }, 'alert group resolved (quiet period)');
        g = (await groups.get(gid))!;
      }
      if (!g.threadTs) {
        await groups.setIntent(gid, { kind: 'parent', marker: parentMarker(g), at: Date.now(), pending: 0, samples: 0, notes: 0 });
        const ts = await d.slack.post(g.channel, parentMessage(g, now));
        await groups.parentPosted(gid, ts, g.ver);
        log.info({ group: gid, rule: g.rule, channel: g.channel, ts }, 'alert thread opened');
        g = (await groups.get(gid))!;
      }
      const notes = (await groups.notes(gid)).slice(0, MAX_NOTES_PER_REPLY);
      if (g.pending > 0 || notes.length) {
        const samples = g.pending > 0 ? await groups.samples(gid) : [];
        const intent = { kind: 'reply' as const, marker: replyMarker(g), at: Date.now(), pending: g.pending, samples: samples.length, notes: notes.length };
        await groups.setIntent(gid, intent);
        await d.slack.post(g.channel, replyMessage(g, notes, g.pending, samples), g.threadTs);
        await groups.consume(gid, intent);
        g = (await groups.get(gid))!;
      }
      if (g.ver !== g.parentVer) {
        await d.slack.update(g.channel, g.threadTs, parentMessage(g, clock.now()));
        await groups.parentUpdated(gid, g.ver);
      }
      // After the alert's own posts, so a slow counts query never delays them.
      if (!['ops', 'chart', 'breakdown'].every((k) => g.once.includes(k))) await threadExtras(extras, g);
      const wake = [g.state === 'open' ? g.lastRecv + a.quietPeriod : Infinity, g.silenceMode === 'time' ? g.silenceUntil : Infinity];
      const next = Math.min(...wake);
      await groups.reschedule(gid, Date.now(), a.flushInterval, Number.isFinite(next) ? Date.now() + clock.toReal(next - clock.now()) : undefined);
    } catch (e) {
      log.warn({ err: (e as Error).message, group: gid }, 'alert flush failed; retrying in 5 s');
      await redis.zadd(groups.dueKey, Date.now() + 5000, gid).catch(() => undefined);
    } finally {
      await lock.release();
    }
  };

  const inFlight = new Set<string>();
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        for (const gid of await groups.due(Date.now())) {
          if (inFlight.has(gid)) continue;
          inFlight.add(gid);
          void flush(gid).finally(() => inFlight.delete(gid));
        }
      } catch (e) {
        if (!stopped) log.warn({ err: (e as Error).message }, 'alert flush loop: Redis unreachable?');
      }
      await new Promise((r) => setTimeout(r, d.pollMs ?? 200));
    }
  };
  const looping = loop();

  return {
    groups,
    close: async () => {
      stopped = true;
      await worker.close();
      await looping;
      const deadline = Date.now() + 5000;
      while (inFlight.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await jobs.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}
