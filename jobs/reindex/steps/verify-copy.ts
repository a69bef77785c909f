import { n } from '../format';
import { saveProgress } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';
import { verifyCounts } from '../verify-counts';

/** The copy must hold exactly what the (write-blocked) source holds, on consecutive full reads. */
export function verifyCopyStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/verify-copy`,
    label: `Verify ${index.temp} against ${index.name}`,
    async run(ctx) {
      const { es } = ctx.deps;
      await es.refresh(index.name);
      const verdict = await verifyCounts(ctx, index.temp, { index: index.name });
      if (!verdict.ok) return { stop: `${index.temp} does not match ${index.name}: ${verdict.reason}; nothing was deleted`, reason: 'failed' };
      await saveProgress(ctx, index.name, { copyVerified: verdict.count });
      return { done: `${index.temp} holds ${n(verdict.count)} documents, as ${index.name} does (${verdict.reads} reads, ${ctx.deps.settings.countChecks} in a row)` };
    },
  };
}
