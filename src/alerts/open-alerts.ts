/**
 * The read side of alert groups for jobs: which alerts are open on a cluster. The upgrade's predicate
 * no_open_alert_on_cluster asks it before every terminate. Reads only; one Redis connection per process
 * (jobs build their ports per run, and a connection per run would never be closed).
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema';
import { connectRedis } from '../queues/redis';
import { AlertGroups } from './alert-groups';

export interface OpenAlert {
  rule: string;
  /** `field=value` of the rule's query_key, when it has one. */
  queryKey?: string;
  severity: string;
  /** Clock ms of the first match (or of the thread's opening). */
  since: number;
  channel: string;
  threadTs: string;
}

export interface OpenAlertsPort {
  /** Open, unacknowledged alerts on `cluster` of the severities given (an empty list finds none). */
  unacknowledged(cluster: string, severities: readonly string[]): Promise<OpenAlert[]>;
}

export function openAlertsReader(groups: AlertGroups): OpenAlertsPort {
  return {
    async unacknowledged(cluster, severities) {
      if (!severities.length) return [];
      const all = await groups.onCluster(cluster);
      return all
        .filter((g) => g.state === 'open' && !g.ackBy && severities.includes(g.severity))
        .map((g) => ({ rule: g.rule, queryKey: g.qkField ? `${g.qkField}=${g.qkValue}` : undefined, severity: g.severity, since: g.firstMatch ?? g.openedAt, channel: g.channel, threadTs: g.threadTs }))
        .sort((a, b) => a.since - b.since);
    },
  };
}

const shared = new Map<string, Redis>();

/** The process's reader for `config.redis`; the connection lives as long as the worker process. */
export function sharedOpenAlerts(config: Config): OpenAlertsPort {
  const key = `${config.redis.url}\u0000${config.redis.prefix}`;
  let redis = shared.get(key);
  if (!redis) {
    redis = connectRedis(config.redis.url);
    // A Redis outage surfaces as the predicate's failing call (retried by the runner); no unhandled 'error' event.
    redis.on('error', () => undefined);
    shared.set(key, redis);
  }
  return openAlertsReader(new AlertGroups(redis, config.redis.prefix));
}
