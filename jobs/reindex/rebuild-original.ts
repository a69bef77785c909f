import { followTask } from './follow-task';
import { ownerToken } from './owner-token';
import { mustPlan, progressOf, saveProgress } from './state';
import type { PlannedIndex, ReindexCtx } from './types';

export type Rebuilt = { ok: true; how: string } | { ok: false; reason: string };

/**
 * Recreates the original name from the verified temporary index. Safe to call again after a crash: an
 * original name that already carries this job's marker is continued, never recreated; one that does not is
 * someone else's index and stops the job with the data left in the temporary copy.
 */
export async function rebuildOriginal(ctx: ReindexCtx, index: PlannedIndex): Promise<Rebuilt> {
  const { es, settings } = ctx.deps;
  const via = ctx.data.args.restoreVia ?? mustPlan(ctx).restoreVia;
  const saved = progressOf(ctx.state, index.name).saved;
  if (!saved) throw new Error(`settings of ${index.name} were not recorded; its data is in ${index.temp}`);
  const exists = await es.exists(index.name);
  if (exists) {
    if ((await es.ownerOf(index.name)) !== ownerToken(ctx)) {
      return {
        ok: false,
        reason: `${index.name} was recreated by something else after it was deleted (a writer?); every document is in ${index.temp}. Stop the writer, move its documents, delete ${index.name}, then clone ${index.temp} back`,
      };
    }
  }
  if (via === 'clone') {
    if (!exists) {
      // _clone needs a read-only, green source.
      await es.setWriteBlock(index.temp, true);
      const health = await es.waitForGreen(index.temp, settings.verifyTimeout);
      if (health !== 'green') return { ok: false, reason: `${index.temp} is ${health ?? 'missing'}, _clone needs it green` };
      await es.cloneIndex(index.temp, index.name, { replicas: saved.replicas, owner: ownerToken(ctx) });
    }
    return { ok: true, how: `cloned ${index.temp} into ${index.name}` };
  }
  let p = progressOf(ctx.state, index.name);
  if (!exists) {
    const template = await es.templateFor(index.name);
    await es.createIndex(index.name, {
      shards: saved.shards,
      replicas: saved.replicas,
      mappings: template.mappings,
      owner: ownerToken(ctx),
    });
  }
  if (!p.restoreTask) {
    const running = p.restoreStarting ? await es.findReindexTask(index.temp, index.name) : undefined;
    if (running) {
      p = await saveProgress(ctx, index.name, { restoreTask: running, restoreAttempt: 1 });
    } else {
      const resumed = Boolean(p.restoreStarting);
      await saveProgress(ctx, index.name, { restoreStarting: true });
      await es.refresh(index.temp);
      const taskId = await es.startReindex({
        source: index.temp,
        dest: index.name,
        slices: ctx.data.args.slices,
        requestsPerSecond: ctx.data.args.rps,
        proceedOnConflicts: resumed,
      });
      p = await saveProgress(ctx, index.name, { restoreTask: taskId, restoreAttempt: resumed ? 2 : 1 });
    }
  }
  const result = await followTask(ctx, index.name, 'restore', index.temp, index.name);
  if (!result.ok) return result;
  await saveProgress(ctx, index.name, { restoreCopied: true });
  return { ok: true, how: `reindexed ${index.temp} back into ${index.name} (task ${progressOf(ctx.state, index.name).restoreTask})` };
}
