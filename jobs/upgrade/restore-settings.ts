import { excludeList, savedAllocationOf, type Ctx } from './job-state';

/**
 * Puts allocation settings back as they were before the job (minus nothing: the saved value is the
 * operator's own) and clears voting exclusions the job added. Returns what it changed, for the thread.
 */
export async function restoreSettings(ctx: Pick<Ctx, 'deps' | 'state'>, opts: { votingExclusions: boolean }): Promise<string[]> {
  const { es } = ctx.deps;
  const lines: string[] = [];
  const saved = savedAllocationOf(ctx);
  if (saved) {
    const now = await es.allocationSettings();
    const patch: { excludeName?: string | null; enable?: string | null } = {};
    if (excludeList(now.excludeName).join(',') !== excludeList(saved.excludeName).join(',')) patch.excludeName = saved.excludeName;
    if (now.enable !== saved.enable) patch.enable = saved.enable;
    if (Object.keys(patch).length) {
      await es.setAllocation(patch);
      if ('excludeName' in patch) lines.push(`allocation exclusion restored to ${saved.excludeName ? `\`${saved.excludeName}\`` : 'none'}`);
      if ('enable' in patch) lines.push(`shard allocation restored to ${saved.enable ?? 'all (default)'}`);
    }
  }
  // Clearing is idempotent: no need to read the exclusions first.
  if (opts.votingExclusions) {
    await es.clearVotingExclusions();
    lines.push('voting configuration exclusions cleared');
  }
  return lines;
}
