import { progressOf, saveProgress } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';

/** Starts the copy as a background task and records its id before anything else can happen. */
export function startCopyStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/start-copy`,
    label: `Start copying ${index.name} into ${index.temp}`,
    async run(ctx) {
      const { es } = ctx.deps;
      const p = progressOf(ctx.state, index.name);
      if (p.copyTask) return { done: `copy task ${p.copyTask} already started` };
      let resumed = false;
      if (p.copyStarting) {
        // A previous attempt crashed around the start call: adopt its task if it still runs.
        const running = await es.findReindexTask(index.name, index.temp);
        if (running) {
          await saveProgress(ctx, index.name, { copyTask: running, copyAttempt: 1 });
          return { done: `adopted running copy task ${running}` };
        }
        resumed = true;
      } else {
        await saveProgress(ctx, index.name, { copyStarting: true });
      }
      await es.refresh(index.name);
      const taskId = await es.startReindex({
        source: index.name,
        dest: index.temp,
        slices: ctx.data.args.slices,
        requestsPerSecond: ctx.data.args.rps,
        // The lost attempt may have copied some documents; with external versions they come back as conflicts.
        proceedOnConflicts: resumed,
      });
      await saveProgress(ctx, index.name, { copyTask: taskId, copyAttempt: resumed ? 2 : 1 });
      return { done: `copy task ${taskId} started (${index.name} → ${index.temp}, external versioning)` };
    },
  };
}
