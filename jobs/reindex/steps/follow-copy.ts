import { followTask, rateText } from '../follow-task';
import { n } from '../format';
import { plural } from '../../../src/slack/blocks/text';
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
      const eta = remainingText(ctx.state, mustPlan(ctx).indices, index.name);
      return {
        done: `${index.temp} received ${n(copied)} of ${n(result.status.total)} documents (${rateText(copied, ms)})${result.attempts > 1 ? `, after ${result.attempts - 1} restart(s)` : ''}. ${eta}`,
        state: ms > 0 && copied > 0 ? { throughput: copied / ms } : undefined,
      };
    },
  };
}

/**
 * How many indices are left. No time here: a copy is a fraction of an index's rebuild (verify, clone, recovery
 * to green), and a copy-only figure once promised "1.7 s" for a quarter of an hour. The card's ETA is
 * re-estimated from each finished index instead.
 */
function remainingText(state: Readonly<Record<string, unknown>>, indices: PlannedIndex[], current: string): string {
  const later = indices.slice(indices.findIndex((i) => i.name === current) + 1).filter((i) => !progressOf(state, i.name).copyMs);
  if (later.length === 0) return '';
  return `${plural(later.length, 'more index', 'more indices')} to go.`;
}
