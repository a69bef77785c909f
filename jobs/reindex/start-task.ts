import { progressOf, saveProgress } from './state';
import type { PlannedIndex, ReindexCtx } from './types';

const KEYS = {
  copy: { starting: 'copyStarting', task: 'copyTask', attempt: 'copyAttempt' },
  restore: { starting: 'restoreStarting', task: 'restoreTask', attempt: 'restoreAttempt' },
} as const;

/**
 * Starts a `_reindex` task (the copy, or the second copy back) and records its id before anything else can
 * happen; "starting" is recorded first, so a crash around the start call is adopted (the task still runs) or
 * restarted with conflicts allowed (the lost attempt may have written some documents), never run twice blind.
 */
export async function startOrAdoptTask(ctx: ReindexCtx, index: PlannedIndex, phase: 'copy' | 'restore', source: string, dest: string): Promise<{ taskId: string; adopted: boolean }> {
  const { es } = ctx.deps;
  const k = KEYS[phase];
  const p = progressOf(ctx.state, index.name);
  const recorded = p[k.task];
  if (recorded) return { taskId: recorded, adopted: false };
  const resumed = Boolean(p[k.starting]);
  if (resumed) {
    const running = await es.findReindexTask(source, dest);
    if (running) {
      await saveProgress(ctx, index.name, { [k.task]: running, [k.attempt]: 1 });
      return { taskId: running, adopted: true };
    }
  } else {
    await saveProgress(ctx, index.name, { [k.starting]: true });
  }
  await es.refresh(source);
  const taskId = await es.startReindex({ source, dest, slices: ctx.data.args.slices, requestsPerSecond: ctx.data.args.rps, proceedOnConflicts: resumed });
  await saveProgress(ctx, index.name, { [k.task]: taskId, [k.attempt]: resumed ? 2 : 1 });
  return { taskId, adopted: false };
}
