/**
 * The Elastalert webhooks, mounted on the bot's HTTP server as Bolt custom routes (HTTP mode and Socket Mode):
 *   POST /elastalert/post           Elastalert 0.2.4 / ElastAlert 2 `post`:  http_post_headers: { X-Elk-Ops-Secret: … }
 *   POST /elastalert/post2          ElastAlert 2 `post2`:                      http_post2_headers: { X-Elk-Ops-Secret: … }
 *   POST /elastalert/slack/<secret> Elastalert's `slack` alerter, which cannot set headers: the secret is in the path
 * Every answer comes after the alert is in Redis (at-least-once); a retried POST is answered 200 and not queued
 * again. 401 / 400 / 413 / 503 enqueue nothing and say how to fix the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock';
import type { Config } from '../config/schema';
import type { Logger } from '../log';
import { enqueueAlert, type AlertJobData } from './alert-queue';
import { secretMatches } from './check-secret';
import type { IncomingAlert } from './incoming-alert';
import { BadAlertError, parsePostBody, parseSlackBody } from './parse-alert-body';
import { BodyTooLargeError, readLimitedBody } from './read-limited-body';

export const SECRET_HEADER = 'x-elk-ops-secret';

export interface WebhookDeps {
  config: Config;
  clock: Clock;
  queue: Queue<AlertJobData>;
  /** The queue's connection, for the duplicate check. */
  redis: Redis;
  log: Logger;
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function presentedHeaderSecret(req: IncomingMessage): string | undefined {
  const h = req.headers[SECRET_HEADER];
  if (typeof h === 'string') return h;
  const auth = req.headers.authorization;
  return typeof auth === 'string' && /^Bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
}

export function webhookRoutes(d: WebhookDeps): CustomRoute[] {
  const handle =
    (kind: 'post' | 'post2' | 'slack') =>
    async (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse): Promise<void> => {
      const started = Date.now();
      const secret = d.config.elastalert.webhookSecret;
      if (!secret) {
        return answer(res, 503, { ok: false, error: 'alert webhooks are off: set elastalert.webhookSecret: ${ELASTALERT_WEBHOOK_SECRET} in the config and that variable in the environment' });
      }
      const presented = kind === 'slack' ? String(req.params?.token ?? '') : presentedHeaderSecret(req);
      if (!secretMatches(presented, secret)) {
        // Never log what was presented: it may be a near-miss of the real secret.
        d.log.warn({ route: kind, remote: req.socket.remoteAddress }, 'alert webhook refused: wrong or missing secret');
        const how = kind === 'slack' ? 'use slack_webhook_url: https://<bot>/elastalert/slack/<the secret>' : `send the secret in http_post_headers: {${SECRET_HEADER}: <the secret>}`;
        return answer(res, 401, { ok: false, error: `not authenticated: ${how}` });
      }
      let alert: IncomingAlert;
      try {
        const raw = await readLimitedBody(req, d.config.elastalert.alerts.maxBodyBytes);
        const query = new URL(req.url ?? '/', 'http://bot').searchParams;
        alert = kind === 'slack' ? parseSlackBody(raw, query, d.clock.now()) : parsePostBody(kind, raw, query, d.clock.now());
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          // The rest of the body is not read: close the connection rather than leave it half-read.
          res.setHeader('connection', 'close');
          return answer(res, 413, { ok: false, error: e.message });
        }
        if (e instanceof BadAlertError) return answer(res, 400, { ok: false, error: e.message });
        throw e;
      }
      try {
        const fresh = await enqueueAlert(d.queue, d.redis, alert);
        d.log.info({ route: kind, rule: alert.rule, alert: alert.id, duplicate: !fresh, ms: Date.now() - started }, fresh ? 'alert accepted' : 'alert already accepted (retry)');
        answer(res, fresh ? 202 : 200, { ok: true, id: alert.id, duplicate: !fresh });
      } catch (e) {
        // Not persisted: 503 makes Elastalert keep the alert and retry it later.
        d.log.error({ err: (e as Error).message, rule: alert.rule }, 'could not persist an alert');
        answer(res, 503, { ok: false, error: 'could not store the alert (is Redis reachable?); Elastalert will retry' });
      }
    };
  // Bolt does not await custom route handlers: an error must be answered here, not become an unhandled rejection.
  const guarded = (kind: 'post' | 'post2' | 'slack') => (req: IncomingMessage, res: ServerResponse) => {
    handle(kind)(req, res).catch((e) => {
      d.log.error({ err: (e as Error).message, route: kind }, 'alert webhook failed');
      if (!res.headersSent) answer(res, 500, { ok: false, error: 'internal error; nothing was stored, Elastalert will retry' });
    });
  };
  return [
    { path: '/elastalert/post', method: ['POST'], handler: guarded('post') },
    { path: '/elastalert/post2', method: ['POST'], handler: guarded('post2') },
    { path: '/elastalert/slack/:token', method: ['POST'], handler: guarded('slack') },
  ];
}
