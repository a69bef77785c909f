import { Queue } from 'bullmq';
import { ALERT_QUEUE, type AlertJobData } from '../../src/alerts/alert-queue';
import { AlertGroups } from '../../src/alerts/alert-groups';
import { connectRedis } from '../../src/queues/redis';
import { OPS_CHANNEL, startHarness, type Harness, type HarnessOptions } from '../helpers/harness';
import { redisUrl } from '../helpers/redis-url';

export const WEBHOOK_SECRET = 'test-webhook-secret-9f3a';

/** The whole bot (harness) with the alert webhooks on, routed to the ops channel, plus a look into the alert queue. */
export async function startAlertHarness(o: HarnessOptions & { alerts?: Record<string, unknown>; elastalert?: Record<string, unknown> } = {}) {
  const h = await startHarness({
    ...o,
    config: {
      ...(o.config ?? {}),
      elastalert: { webhookSecret: '${ELASTALERT_WEBHOOK_SECRET}', routes: { '*': OPS_CHANNEL }, alerts: { flushInterval: '500ms', ...(o.alerts ?? {}) }, ...(o.elastalert ?? {}) },
    },
    extraEnv: { ELASTALERT_WEBHOOK_SECRET: WEBHOOK_SECRET, ...(o.extraEnv ?? {}) },
  });
  const redis = connectRedis(redisUrl());
  const queue = new Queue<AlertJobData>(ALERT_QUEUE, { connection: redis, prefix: h.prefix });
  const groups = new AlertGroups(redis, h.prefix);
  const base = `http://127.0.0.1:${h.config.slack.port}`;
  const post = async (path: string, body: unknown, headers: Record<string, string> = { 'x-elk-ops-secret': WEBHOOK_SECRET }) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  const queued = async () => {
    const c = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };
  /** Top-level messages in the ops channel that are alert parents. */
  const parents = () => h.slack.messages(OPS_CHANNEL).filter((m) => JSON.stringify(m.blocks ?? []).includes('"ap-'));
  return {
    h,
    base,
    post,
    queue,
    groups,
    queued,
    parents,
    async close() {
      await queue.close();
      await h.close();
      await redis.quit();
    },
  };
}

export type AlertHarness = Awaited<ReturnType<typeof startAlertHarness>>;

/** A match as Elastalert's post alerter sends it for the field notes' "Spike in 5xxs" rule. */
export function spikeMatch(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': new Date(Date.UTC(2024, 0, 1, 10, 27, 0) + i * 1000).toISOString(),
    Status: 500 + (i % 4),
    host: `api-${1 + (i % 2)}`,
    path: '/api/orders',
    _index: 'logstash-2024.01.01',
    _type: '_doc',
    _id: `doc-${i}`,
    spike_count: 6 + i,
    reference_count: 3,
    num_hits: 25,
    num_matches: 1,
    rule_name: 'Spike in 5xxs',
    ...extra,
  };
}

export { OPS_CHANNEL };
export type { Harness };
