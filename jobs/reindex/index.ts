import type { JobModule } from '../../src/runner/types';
import { createReindexPort } from '../../src/elasticsearch/reindex-port';
import { cleanupReindex } from './cleanup';
import { clusterDuration } from '../../src/config/duration';
import { plural } from '../../src/slack/blocks/text';
import { counted } from './format';
import { reindexLeftovers } from './leftovers';
import { planOf, progressOf } from './state';
import { reindexSteps } from './steps';
import type { ReindexArgs, ReindexDeps } from './types';

export type { ReindexArgs, ReindexDeps } from './types';
export type { ReindexPort } from './port';

export const reindexJob: JobModule<ReindexArgs, ReindexDeps> = {
  definition: {
    kind: 'reindex',
    destructive: true,
    title: (data) => `reindex ${data.args.expression} on ${data.cluster}${data.args.dryRun ? ' (dry run)' : ''}`,
    steps: reindexSteps,
    cleanup: cleanupReindex,
    leftovers: reindexLeftovers,
    summary(ctx) {
      const plan = planOf(ctx.state);
      if (!plan) return { text: 'no plan was made', result: {} };
      if (ctx.data.args.dryRun) {
        return { text: `dry run: ${plural(plan.indices.length, 'index', 'indices')} (${counted(plan.totalDocs, 'doc')}) would be reindexed; nothing changed`, result: { plan } };
      }
      const indices = plan.indices.map((i) => ({ name: i.name, documents: progressOf(ctx.state, i.name).restoreVerified, copyMs: progressOf(ctx.state, i.name).copyMs }));
      const docs = indices.reduce((s, i) => s + (i.documents ?? 0), 0);
      const elapsed = ctx.clock.now() - (ctx.data.records[0]?.startedAt ?? ctx.clock.now());
      return {
        text: `reindexed ${plural(indices.length, 'index', 'indices')} (${counted(docs, 'document')}, each count verified before and after) in ${clusterDuration(elapsed, ctx.clock.speed)}; refused: ${plan.refused.length}`,
        result: { indices, refused: plan.refused, restoreVia: plan.restoreVia },
      };
    },
  },
  createDeps: (cluster, env) => ({ es: createReindexPort(cluster.elasticsearch, env.clock), settings: cluster.reindex }),
};
