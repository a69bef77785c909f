import { n } from '../format';
import { progressOf, saveProgress } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';
import { verifyCounts } from '../verify-counts';

/** The rebuilt original must hold what the verified copy holds, by the same consecutive-reads rule. */
export function verifyRestoreStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/verify-restore`,
    label: `Verify ${index.name} against ${index.temp}`,
    async run(ctx) {
      const expected = progressOf(ctx.state, index.name).copyVerified;
      if (expected === undefined) throw new Error(`no verified count recorded for ${index.temp}; its data is in ${index.temp}`);
      const verdict = await verifyCounts(ctx, index.name, { count: expected });
      if (!verdict.ok) {
        return { stop: `${index.name} does not match its copy: ${verdict.reason}; every document is still in ${index.temp}`, reason: 'failed' };
      }
      await saveProgress(ctx, index.name, { restoreVerified: verdict.count });
      return { done: `${index.name} holds ${n(verdict.count)} documents again (${verdict.reads} reads)` };
    },
  };
}
