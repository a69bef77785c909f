import { excludeList, planOf, progressOf, savedAllocationOf, type Ctx } from './job-state';

/**
 * What this job itself has changed in the cluster and not yet put back, from its own saved state (never from
 * the live settings, which an operator may have changed too). Predicates use it to tell "the cluster is
 * like this because of us, as planned" from "something is wrong".
 */
export interface OwnSettings {
  /** `cluster.routing.allocation.enable` the job set because a drain fell back to the restart procedure. */
  enable?: { value: 'primaries'; forNode: string };
  /** Nodes the job excluded from shard allocation (`cluster.routing.allocation.exclude._name`). */
  excluded: string[];
  /** Nodes whose vote the job withdrew (voting configuration exclusions). */
  votingExcluded: string[];
}

export function ownSettings(ctx: Pick<Ctx, 'state'>): OwnSettings {
  const saved = savedAllocationOf(ctx);
  const operatorExcluded = excludeList(saved?.excludeName ?? null);
  const own: OwnSettings = { excluded: [], votingExcluded: [] };
  for (const n of planOf(ctx).nodes) {
    const p = progressOf(ctx, n.name);
    // The restore step after each node puts everything back; until then the node's drain settings are in place.
    if (p.restored) continue;
    if (p.drainMode && !operatorExcluded.includes(n.name)) own.excluded.push(n.name);
    if (p.drainMode === 'restart' && saved?.enable !== 'primaries') own.enable = { value: 'primaries', forNode: n.name };
    if (p.votingExcluded) own.votingExcluded.push(n.name);
  }
  return own;
}

/** For a reason line: which of the job's own settings are in place, e.g. "enable=primaries (set for the drain of es-data-3)". */
export function describeOwn(own: OwnSettings): string {
  const parts: string[] = [];
  if (own.enable) parts.push(`\`cluster.routing.allocation.enable=${own.enable.value}\` (set for the drain of ${own.enable.forNode})`);
  if (own.excluded.length) parts.push(`allocation exclusion of ${own.excluded.join(', ')}`);
  if (own.votingExcluded.length) parts.push(`voting exclusion of ${own.votingExcluded.join(', ')}`);
  return parts.join(', ');
}
