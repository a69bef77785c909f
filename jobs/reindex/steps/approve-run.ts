import { bytes, counted } from '../format';
import { plural } from '../../../src/slack/blocks/text';
import { mustPlan } from '../state';
import type { ReindexStep } from '../types';

/** The one approval that starts the run. It changes nothing itself; the gate is the point. */
export const approveRunStep: ReindexStep = {
  name: 'approve-run',
  label: 'Approve the reindex',
  destructive: true,
  async approval(ctx) {
    const plan = mustPlan(ctx);
    return {
      action: `reindex ${plural(plan.indices.length, 'index', 'indices')} (${counted(plan.totalDocs, 'doc')}) on ${ctx.data.cluster}`,
      details: {
        Indices: plan.indices.map((i) => i.name).join(', '),
        Size: bytes(plan.totalBytes),
        'Rebuilt with': { clone: '_clone', reindex: 'second _reindex', auto: '_clone or a second _reindex, per index (the quicker, once its copy is timed)' }[plan.restoreVia],
      },
    };
  },
  async alreadyDone() {
    return true;
  },
  async run(ctx) {
    const plan = mustPlan(ctx);
    return { done: `approved: ${plural(plan.indices.length, 'index', 'indices')}, one at a time` };
  },
};
