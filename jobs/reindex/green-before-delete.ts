import { took } from './format';
import { waitUntilGreen } from './green-copy';
import { progressOf } from './state';
import type { PlannedIndex, ReindexCtx } from './types';

/**
 * The wait that comes before a delete's `remaining_copy_green_and_verified` predicate, so the predicate
 * usually passes at once. Not reaching green is not a failure here: the predicate then blocks the delete and
 * names the reason in the thread, where an approver sees it.
 */
export async function greenBeforeDelete(ctx: ReindexCtx, index: PlannedIndex, remaining: string): Promise<string> {
  const saved = progressOf(ctx.state, index.name).saved;
  if (!saved) throw new Error(`settings of ${index.name} were not recorded; check ${index.name} and ${index.temp} by hand`);
  const startedAt = ctx.clock.now();
  const g = await waitUntilGreen(ctx, remaining, { shards: saved.shards, replicas: saved.replicas });
  const waited = ctx.clock.now() - startedAt;
  if (g.ok) return `${remaining} is green: all ${g.copies} shard copies started (${saved.replicas} replica(s), as the source had)${(g.rounds ?? 1) > 1 ? ` after waiting ${took(waited)}` : ''}`;
  return `${remaining} is not green after ${took(waited)}: ${g.reason}. Nothing is deleted until it is`;
}
