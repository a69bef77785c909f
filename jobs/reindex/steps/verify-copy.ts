import { followTask } from '../follow-task';
import { greenBeforeDelete } from '../green-before-delete';
import { n } from '../format';
import { progressOf, saveProgress } from '../state';
import type { PlannedIndex, ReindexCtx, ReindexStep } from '../types';
import { verifyCounts } from '../verify-counts';

/** Catch-up copies before a shortfall is handed to a human. */
const MAX_CATCH_UPS = 2;

/**
 * The copy must hold exactly what the (write-blocked) source holds, on consecutive full reads. A steady
 * shortfall means the copy's scroll snapshot missed documents that became searchable later (refresh lag):
 * the source is copied again, and external versions make the documents already there harmless conflicts.
 */
export function verifyCopyStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/verify-copy`,
    label: `Verify ${index.temp} against ${index.name}`,
    async run(ctx) {
      const { es } = ctx.deps;
      for (let round = 0; ; round++) {
        await es.refresh(index.name);
        const verdict = await verifyCounts(ctx, index.temp, { index: index.name });
        if (verdict.ok) {
          await saveProgress(ctx, index.name, { copyVerified: verdict.count });
          const catchUps = round ? ` after ${round} catch-up cop${round > 1 ? 'ies' : 'y'}` : '';
          const green = await greenBeforeDelete(ctx, index, index.temp);
          return { done: `${index.temp} holds ${n(verdict.count)} documents, as ${index.name} does (${verdict.reads} reads, ${ctx.deps.settings.countChecks} in a row${catchUps}); ${green}` };
        }
        if (!verdict.short || round >= MAX_CATCH_UPS) {
          return { stop: `${index.temp} does not match ${index.name}: ${verdict.reason}; nothing was deleted`, reason: 'failed' };
        }
        await ctx.say(`${index.temp} holds ${n(verdict.short.holds)} of ${n(verdict.short.of)} documents: the copy missed documents that became searchable after it started. Copying ${index.name} again; nothing is duplicated.`);
        const caught = await catchUp(ctx, index);
        if (caught) return { stop: `catch-up copy of ${index.name} stopped: ${caught}; nothing was deleted`, reason: 'failed' };
      }
    },
  };
}

async function catchUp(ctx: ReindexCtx, index: PlannedIndex): Promise<string | undefined> {
  const attempt = (progressOf(ctx.state, index.name).copyAttempt ?? 1) + 1;
  const taskId = await ctx.deps.es.startReindex({
    source: index.name,
    dest: index.temp,
    slices: ctx.data.args.slices,
    requestsPerSecond: ctx.data.args.rps,
    proceedOnConflicts: true,
  });
  await saveProgress(ctx, index.name, { copyTask: taskId, copyAttempt: attempt });
  const result = await followTask(ctx, index.name, 'copy', index.name, index.temp);
  return result.ok ? undefined : result.reason;
}
