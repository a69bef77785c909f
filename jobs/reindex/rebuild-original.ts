import { followTask } from './follow-task';
import { ownerToken } from './owner-token';
import { startOrAdoptTask } from './start-task';
import { mustPlan, progressOf, saveProgress } from './state';
import { chooseRestore } from './choose-restore';
import type { PlannedIndex, ReindexCtx, RestoreVia } from './types';

export type Rebuilt = { ok: true; how: string } | { ok: false; reason: string };

/**
 * Recreates the original name from the verified temporary index. Safe to call again after a crash: an
 * original name that already carries this job's marker is continued, never recreated; one that does not is
 * someone else's index and stops the job with the data left in the temporary copy.
 */
export async function rebuildOriginal(ctx: ReindexCtx, index: PlannedIndex): Promise<Rebuilt> {
  const { es, settings } = ctx.deps;
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
  const via = await restorePath(ctx, index);
  if (via === 'clone') {
    if (!exists) {
      // _clone needs a read-only, green source.
      await es.setWriteBlock(index.temp, true);
      const health = await es.waitForGreen(index.temp, settings.verifyTimeout);
      if (health !== 'green') return { ok: false, reason: `${index.temp} is ${health ?? 'missing'}, _clone needs it green` };
      await es.cloneIndex(index.temp, index.name, { replicas: saved.replicas, owner: ownerToken(ctx) });
    }
    return { ok: true, how: `cloned ${index.temp} into ${index.name}${whyText(ctx, index)}` };
  }
  if (!exists) {
    const template = await es.templateFor(index.name);
    await es.createIndex(index.name, {
      shards: saved.shards,
      replicas: saved.replicas,
      mappings: template.mappings,
      owner: ownerToken(ctx),
    });
  }
  await startOrAdoptTask(ctx, index, 'restore', index.temp, index.name);
  const result = await followTask(ctx, index.name, 'restore', index.temp, index.name);
  if (!result.ok) return result;
  await saveProgress(ctx, index.name, { restoreCopied: true });
  return { ok: true, how: `reindexed ${index.temp} back into ${index.name} (task ${progressOf(ctx.state, index.name).restoreTask})${whyText(ctx, index)}` };
}

/**
 * The path is decided once and recorded before anything is rebuilt, so a resume (or a changed cluster setting)
 * never switches a half-done clone to a reindex or back.
 */
async function restorePath(ctx: ReindexCtx, index: PlannedIndex): Promise<RestoreVia> {
  const planned = mustPlan(ctx).restoreVia;
  const forced = ctx.data.args.restoreVia ?? (planned === 'auto' ? undefined : planned);
  if (forced) return forced;
  const p = progressOf(ctx.state, index.name);
  if (p.restoreVia) return p.restoreVia;
  const { es } = ctx.deps;
  const saved = p.saved!;
  const throttle = await es.recoveryThrottle().catch((e: Error) => e);
  const choice = chooseRestore({
    copyMs: p.copyMs ?? 0,
    primaryBytes: index.bytes / (1 + saved.replicas),
    shards: saved.shards,
    replicas: saved.replicas,
    dataNodes: await es.dataNodeCount(),
    throttle,
  });
  await saveProgress(ctx, index.name, { restoreVia: choice.via, restoreWhy: choice.why });
  return choice.via;
}

function whyText(ctx: ReindexCtx, index: PlannedIndex): string {
  const why = progressOf(ctx.state, index.name).restoreWhy;
  return why ? ` — ${why}` : '';
}
