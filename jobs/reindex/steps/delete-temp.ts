import { ownerToken } from '../owner-token';
import { remainingCopyGreenAndVerified } from '../predicates';
import type { PlannedIndex, ReindexStep } from '../types';

/** The temporary copy goes last, once the original name verifies and is green; never one this job did not make. */
export function deleteTempStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/delete-temp`,
    label: `Delete ${index.temp}`,
    destructive: true,
    predicates: [remainingCopyGreenAndVerified(index, 'rebuilt')],
    async alreadyDone(ctx) {
      return !(await ctx.deps.es.exists(index.temp));
    },
    async run(ctx) {
      const { es } = ctx.deps;
      if ((await es.ownerOf(index.temp)) !== ownerToken(ctx)) throw new Error(`${index.temp} is not marked as this job's copy; left in place — check it and delete it by hand`);
      await es.deleteIndex(index.temp);
      return { done: `deleted ${index.temp}; ${index.name} is rebuilt with the new mappings` };
    },
  };
}
