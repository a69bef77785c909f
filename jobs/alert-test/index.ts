import { LogLevel, WebClient } from '@slack/web-api';
import { alertQueue, enqueueAlert } from '../../src/alerts/alert-queue';
import { connectRedis } from '../../src/queues/redis';
import { createEsClient } from '../../src/elasticsearch/client';
import { ruleDataFor } from '../../src/elasticsearch/rule-data';
import type { JobModule } from '../../src/runner/types';
import { uploadFile } from '../../src/slack/upload-file';
import { alertTestSteps } from './steps';
import type { AlertTestArgs, AlertTestDeps } from './types';

export type { AlertTestArgs, AlertTestDeps } from './types';

export const alertTestJob: JobModule<AlertTestArgs, AlertTestDeps> = {
  definition: {
    kind: 'alert-test',
    // Read-only: no cluster lock, no approval; any number may run beside an upgrade.
    destructive: false,
    title: (data) => `alert-test ${data.args.all ? 'of every rule' : data.args.rule} on ${data.cluster} (values: ${data.args.env})`,
    steps: alertTestSteps,
    summary(ctx) {
      if (ctx.data.args.all) {
        const results = (ctx.state.results as { fired: number }[] | undefined) ?? [];
        return { text: `${results.length} rule(s) evaluated; ${results.filter((r) => r.fired).length} would have fired`, result: { results } };
      }
      const r = ctx.state.result as { fired: number; silenced: number } | undefined;
      return { text: r ? `would have fired ${r.fired} time(s)` : 'not evaluated', result: { ...(r ?? {}) } };
    },
  },
  createDeps(cluster, env) {
    const es = createEsClient(cluster.elasticsearch);
    const slack = new WebClient(env.config.slack.botToken, { slackApiUrl: env.config.slack.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 5 } });
    return {
      rules: { dir: env.config.elastalert.rulesDir, values: env.config.elastalert.values, secretNames: env.config.elastalert.secretNames },
      daemon: env.config.elastalert.daemon,
      data: (rule) => ruleDataFor(es, rule),
      uploadToThread: (thread, f) => uploadFile(slack, { channel: thread.channel, threadTs: thread.ts, ...f }),
      // A connection for the one enqueue, closed right after: ports are built per run and never closed.
      async postAlert(alert) {
        const redis = connectRedis(env.config.redis.url);
        const queue = alertQueue(redis, env.config.redis.prefix);
        try {
          return await enqueueAlert(queue, redis, alert);
        } finally {
          await queue.close();
          await redis.quit().catch(() => redis.disconnect());
        }
      },
    };
  },
};
