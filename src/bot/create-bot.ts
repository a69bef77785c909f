import { App, HTTPReceiver, LogLevel, type CustomRoute } from '@slack/bolt';
import type { Command } from '../../commands/types';
import type { BotDeps } from './bot-deps';
import { register as registerActions } from './listeners/actions';
import { register as registerCommands } from './listeners/commands';

export interface BotOptions {
  deps: BotDeps;
  commands: Command<any>[];
  /** Extra HTTP routes (the Elastalert webhook) beside /healthz. */
  routes?: CustomRoute[];
}

/**
 * The Bolt app. HTTP mode verifies every request's signature (HMAC-SHA256 over `v0:timestamp:body`, 5-minute
 * window) before a listener sees it; Socket Mode is used when an app token is configured.
 */
export function createBot({ deps, commands, routes = [] }: BotOptions): App {
  const { slack } = deps.config;
  const customRoutes: CustomRoute[] = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      },
    },
    ...routes,
  ];
  const clientOptions = slack.apiUrl ? { slackApiUrl: slack.apiUrl } : undefined;
  const app = slack.appToken
    ? // Socket Mode: Slack's events come over the socket; the webhooks and /healthz still need an HTTP server, which
      // Bolt starts on installerOptions.port (3000 unless told) on every interface: slack.host applies to HTTP mode only.
      new App({ token: slack.botToken, appToken: slack.appToken, socketMode: true, customRoutes, installerOptions: { port: slack.port }, clientOptions, logLevel: LogLevel.WARN })
    : new App({
        token: slack.botToken,
        receiver: new HTTPReceiver({ signingSecret: slack.signingSecret, customRoutes, logLevel: LogLevel.WARN }),
        clientOptions,
        logLevel: LogLevel.WARN,
      });
  registerCommands(app, deps, commands);
  registerActions(app, deps);
  app.error(async (err) => {
    deps.log.error({ err: err.message }, 'Bolt listener error');
  });
  return app;
}
