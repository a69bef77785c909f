import { ownerToken } from './owner-token';
import { progressOf, saveProgress } from './state';
import type { PlannedIndex, ReindexCtx } from './types';

/** Puts back replicas, refresh interval and aliases, and lifts the write block unless the original had one. */
export async function restoreSettings(ctx: ReindexCtx, index: PlannedIndex): Promise<string> {
  const { es } = ctx.deps;
  const saved = progressOf(ctx.state, index.name).saved;
  if (!saved) throw new Error(`settings of ${index.name} were not recorded; set its replicas, refresh interval and aliases by hand`);
  await es.restoreSettings(index.name, { replicas: saved.replicas, refreshInterval: saved.refreshInterval });
  await es.addAliases(index.name, saved.aliases);
  if (!saved.blocksWrite) await es.setWriteBlock(index.name, false);
  // Handed back: the index is the team's again, not this job's.
  await es.removeOwner(index.name, ownerToken(ctx));
  await saveProgress(ctx, index.name, { settingsRestored: true });
  const aliases = saved.aliases.map((a) => a.alias).join(', ') || 'no aliases';
  return `${index.name}: ${saved.replicas} replicas, refresh ${saved.refreshInterval ?? 'default'}, ${aliases}, ${saved.blocksWrite ? 'write block kept (it had one)' : 'writable'}`;
}
