import { followTask, rateText } from '../follow-task';
import { n, took } from '../format';
import { mustPlan, progressOf, saveProgress } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';

/** Waits for the copy task; any failure or unexpected conflict stops here, before anything is deleted. */
export function followCopyStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/follow-copy`,
    label: `Copy ${index.name} into ${index.temp}`,
    async run(ctx) {
      const result = await followTask(ctx, index.name, 'copy', index.name, index.temp);
      if (!result.ok) return { stop: `copy of ${index.name} stopped: ${result.reason}`, reason: 'failed' };
      const copied = result.status.created + result.status.updated;
      const startedAt = ctx.data.records.find((r) => r.step === `${index.name}/start-copy`)?.finishedAt;
      const ms = startedAt !== undefined ? ctx.clock.now() - startedAt : 0;
      await saveProgress(ctx, index.name, { copyMs: ms });
      const eta = etaText(ctx.state, mustPlan(ctx).indices, index.name, copied, ms);
      return {
        done: `${index.temp} received ${n(copied)} of ${n(result.status.total)} documents (${rateText(copied, ms)})${result.attempts > 1 ? `, after ${result.attempts - 1} restart(s)` : ''}. ${eta}`,
        state: ms > 0 && copied > 0 ? { throughput: copied / ms } : undefined,
      };
    },
  };
}

/** Each index is copied twice with the reindex path and once plus a clone otherwise; the copy dominates. */
function etaText(state: Readonly<Record<string, unknown>>, indices: PlannedIndex[], current: string, docs: number, ms: number): string {
  const later = indices.slice(indices.findIndex((i) => i.name === current) + 1).filter((i) => !progressOf(state, i.name).copyMs);
  if (later.length === 0) return '';
  if (!(ms > 0 && docs > 0)) return `${later.length} more indices to go.`;
  const rest = later.reduce((s, i) => s + i.docs, 0);
  return `Estimated time for the ${later.length} remaining indices: about ${took((rest * ms) / docs)} of copying.`;
}
