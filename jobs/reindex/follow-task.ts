import { n, took } from './format';
import type { CopyStatus } from './port';
import { progressOf, saveProgress } from './state';
import type { ReindexCtx } from './types';

/** A task lost with its node is restarted this many times before a human is asked to look. */
const MAX_ATTEMPTS = 5;

export type Followed = { ok: true; status: CopyStatus; attempts: number } | { ok: false; reason: string };

/**
 * Follows a `_reindex` task with long polls until it finishes. The long poll returns the moment the task
 * completes, so the next step starts without a polling delay. A task that vanished with its node is started
 * again: external versioning makes the documents it already copied come back as harmless conflicts.
 */
export async function followTask(
  ctx: ReindexCtx,
  index: string,
  which: 'copy' | 'restore',
  from: string,
  to: string,
): Promise<Followed> {
  const { es, settings } = ctx.deps;
  const taskKey = which === 'copy' ? 'copyTask' : 'restoreTask';
  const attemptKey = which === 'copy' ? 'copyAttempt' : 'restoreAttempt';
  let p = progressOf(ctx.state, index);
  let taskId = p[taskKey];
  let attempt = p[attemptKey] ?? 1;
  if (!taskId) throw new Error(`no ${which} task is recorded for ${index}; the job state is inconsistent — re-run /elk reindex ${index}`);
  await ctx.progress(`${from} → ${to}: following task ${taskId}`);
  for (;;) {
    ctx.signal.throwIfAborted();
    const asked = ctx.clock.now();
    const t = await es.waitForTask(taskId, settings.taskPollTimeout);
    if (t.kind === 'missing') {
      if (attempt >= MAX_ATTEMPTS) {
        return { ok: false, reason: `task ${taskId} was lost ${attempt} times; check the data nodes, then re-run the job` };
      }
      attempt++;
      const lost = taskId;
      taskId = await es.startReindex({
        source: from,
        dest: to,
        slices: ctx.data.args.slices,
        requestsPerSecond: ctx.data.args.rps,
        proceedOnConflicts: true,
      });
      p = await saveProgress(ctx, index, { [taskKey]: taskId, [attemptKey]: attempt });
      await ctx.say(`task ${lost} (${from} → ${to}) is gone with its node; restarted as ${taskId}. External versioning keeps documents already copied as they are.`);
      continue;
    }
    if (t.kind === 'running') {
      const copied = t.status.created + t.status.updated + t.status.versionConflicts;
      const rate = t.runningMs > 0 ? (copied * 1000) / t.runningMs : 0;
      await ctx.progress(`${from} → ${to}: ${n(copied)} of ${n(t.status.total)} documents (${n(rate)}/s)`);
      // A server that answers the long poll at once must not be hammered.
      if (ctx.clock.now() - asked < 200) await ctx.clock.sleep(1000, ctx.signal);
      continue;
    }
    if (t.error) return { ok: false, reason: `task ${taskId} failed: ${t.error}` };
    if (t.failures.length > 0) {
      return { ok: false, reason: `task ${taskId} reported ${t.failures.length} failures, first: ${t.failures[0]}` };
    }
    if (attempt === 1 && t.status.versionConflicts > 0) {
      return {
        ok: false,
        reason: `task ${taskId} hit ${n(t.status.versionConflicts)} version conflicts: something else writes into ${to}`,
      };
    }
    return { ok: true, status: t.status, attempts: attempt };
  }
}

export function rateText(docs: number, ms: number): string {
  return ms > 0 ? `${n((docs * 1000) / ms)} docs/s over ${took(ms)}` : 'instant';
}
