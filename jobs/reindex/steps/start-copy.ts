import { startOrAdoptTask } from '../start-task';
import { progressOf } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';

/** Starts the copy as a background task (start-task.ts records its id before anything else can happen). */
export function startCopyStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/start-copy`,
    label: `Start copying ${index.name} into ${index.temp}`,
    async run(ctx) {
      if (progressOf(ctx.state, index.name).copyTask) return { done: `copy task ${progressOf(ctx.state, index.name).copyTask} already started` };
      const { taskId, adopted } = await startOrAdoptTask(ctx, index, 'copy', index.name, index.temp);
      if (adopted) return { done: `adopted running copy task ${taskId}` };
      return { done: `copy task ${taskId} started (${index.name} → ${index.temp}, external versioning)` };
    },
  };
}
