import type { StopReason } from '../../src/runner/types';
import { n } from './format';
import { remainingCopyProblem } from './green-copy';
import { ownerToken } from './owner-token';
import { planOf, progressOf } from './state';
import { restoreSettings } from './restore-settings';
import type { PlannedIndex, ReindexCtx } from './types';
import { verifyCounts } from './verify-counts';

/**
 * Leaves every index readable under its original name and unblocked. A temporary copy is deleted only while
 * the untouched source still exists; once the source is gone the copy is kept, whatever else happens.
 */
export async function cleanupReindex(ctx: ReindexCtx, reason: StopReason): Promise<string[]> {
  const plan = planOf(ctx.state);
  if (!plan) return ['nothing was changed (no plan yet)'];
  // Putting things back must finish even when the stop came from a cancel that aborted the job's signal.
  const calm: ReindexCtx = { ...ctx, signal: new AbortController().signal };
  const lines: string[] = [];
  for (const index of plan.indices) {
    const p = progressOf(ctx.state, index.name);
    if (!p.saved) continue;
    try {
      lines.push(await cleanIndex(calm, index, reason));
    } catch (e) {
      lines.push(`${index.name}: cleanup failed (${(e as Error).message}); check ${index.name} and ${index.temp} by hand — do not delete ${index.temp} unless ${index.name} holds every document`);
    }
  }
  return lines.length ? lines : ['nothing was changed'];
}

async function cleanIndex(ctx: ReindexCtx, index: PlannedIndex, reason: StopReason): Promise<string> {
  const { es, settings } = ctx.deps;
  const p = progressOf(ctx.state, index.name);
  for (const task of [p.copyTask, p.restoreTask]) {
    if (!task) continue;
    await es.cancelTask(task);
    // A cancelled task may still have a bulk request in flight; let it end before its destination is touched.
    await es.waitForTask(task, settings.taskPollTimeout);
  }
  const [originalExists, tempExists] = await Promise.all([es.exists(index.name), es.exists(index.temp)]);
  const mine = ownerToken(ctx);
  const tempOurs = tempExists && (await es.ownerOf(index.temp)) === mine;
  // The untouched source never carries our marker; a rebuild (clone or second copy) always does.
  let rebuilt = originalExists && (p.settingsRestored === true || (await es.ownerOf(index.name)) === mine);

  const want = { shards: p.saved!.shards, replicas: p.saved!.replicas };
  if (originalExists && !rebuilt) {
    if (!p.saved!.blocksWrite) await es.setWriteBlock(index.name, false);
    // A source that lost a shard copy meanwhile may hold less than its partial copy: keep the copy then.
    const unsafe = tempOurs ? await remainingCopyProblem(ctx, index.name, want) : undefined;
    if (unsafe) return `${index.name}: untouched, writable again; its partial copy ${index.temp} was kept because ${unsafe} — delete ${index.temp} once ${index.name} is green and reads every document (${reason})`;
    if (tempOurs) await es.deleteIndex(index.temp);
    return `${index.name}: untouched, writable again${tempOurs ? `; its partial copy ${index.temp} was deleted` : ''} (${reason})`;
  }
  const expected = p.copyVerified;
  if (!tempExists) {
    if (rebuilt && p.settingsRestored) return `${index.name}: rebuilt, verified and restored; ${index.temp} already deleted`;
    return `${index.name}: ATTENTION — ${index.temp} is gone and ${index.name} ${originalExists ? 'is a partial rebuild' : 'does not exist'}; restore ${index.name} from a snapshot`;
  }
  if (expected === undefined || !tempOurs) {
    return `${index.name}: does not exist; its data is in ${index.temp}, which was not verified by this job — check it before anything else`;
  }
  const manual = `every document (${n(expected)}) is in ${index.temp}. To finish by hand: ${originalExists ? `DELETE /${index.name}; ` : ''}PUT /${index.temp}/_settings {"index.blocks.write":true}; POST /${index.temp}/_clone/${index.name}; check GET /${index.name}/_count = ${expected}; then DELETE /${index.temp}`;
  if (rebuilt && !p.settingsRestored && p.restoreTask && !p.restoreCopied) {
    // A second copy cut short: ours, incomplete, and every document is in the verified temporary copy —
    // which must be green and still read every document before the partial copy goes.
    const unsafe = await remainingCopyProblem(ctx, index.temp, want, expected);
    if (unsafe) return `${index.name}: a partial rebuild, left in place because ${unsafe}; ${manual}`;
    await es.deleteIndex(index.name);
    rebuilt = false;
  }
  if (!rebuilt) {
    const [major, minor] = planOf(ctx.state)!.version.split('.').map(Number);
    if (major < 7 || (major === 7 && minor < 4)) return `${index.name}: does not exist; ${manual.replace('_clone', '_reindex')}`;
    // The source is gone and the copy is verified: finishing the rebuild is the safest way back.
    await es.setWriteBlock(index.temp, true);
    if ((await es.waitForGreen(index.temp, settings.verifyTimeout)) !== 'green') return `${index.name}: does not exist; ${index.temp} is not green, so it was not cloned; ${manual}`;
    await es.cloneIndex(index.temp, index.name, { replicas: p.saved!.replicas, owner: mine });
  }
  const verdict = await verifyCounts(ctx, index.name, { count: expected });
  if (!verdict.ok) return `${index.name}: rebuild does not verify (${verdict.reason}); ${manual}`;
  const restored = await restoreSettings(ctx, index);
  return `${index.name}: ${rebuilt ? 'rebuild' : 'restored from its copy with `_clone` and'} verified (${n(verdict.count)} docs); ${restored}. ${index.temp} was kept as a second copy: delete it with \`DELETE /${index.temp}\` once you have checked ${index.name}`;
}
