import { n } from '../format';
import { copyMatchesSource, remainingCopyGreenAndVerified } from '../predicates';
import { progressOf } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';

/** Deletes the original, whose every document is verified in the temporary copy. */
export function deleteSourceStep(index: PlannedIndex): ReindexStep {
  const verified = (state: Readonly<Record<string, unknown>>) => progressOf(state, index.name).copyVerified;
  return {
    name: `${index.name}/delete-source`,
    label: `Delete ${index.name}`,
    destructive: true,
    predicates: [copyMatchesSource(index), remainingCopyGreenAndVerified(index, 'temp')],
    async approval(ctx) {
      const count = n(verified(ctx.state) ?? 0);
      return {
        action: `delete ${index.name} (${count} documents) — its copy ${index.temp} holds ${count}`,
        details: { Verified: `${ctx.deps.settings.countChecks} consecutive equal counts, all shards answering` },
      };
    },
    async alreadyDone(ctx) {
      const { es } = ctx.deps;
      return verified(ctx.state) !== undefined && !(await es.exists(index.name)) && (await es.exists(index.temp));
    },
    async run(ctx) {
      const count = verified(ctx.state);
      if (count === undefined) throw new Error(`refusing to delete ${index.name}: its copy ${index.temp} was never verified`);
      await ctx.deps.es.deleteIndex(index.name);
      return { done: `deleted ${index.name}; its ${n(count)} documents are in ${index.temp}` };
    },
  };
}
