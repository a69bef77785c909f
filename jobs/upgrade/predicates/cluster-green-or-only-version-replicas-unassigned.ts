import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { UpgradeDeps } from '../ports';
import { classifyUnassigned } from '../unassigned';

/** Green, or yellow only because new replicas cannot be placed on older-version nodes (checked with allocation explain). */
export function clusterGreenOrOnlyVersionReplicasUnassigned(excludedNode?: string): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'cluster_green_or_only_version_replicas_unassigned',
    async check(ctx) {
      const h = await ctx.deps.es.health();
      if (h.status === 'green') return { ok: true };
      const v = await classifyUnassigned(ctx.deps.es, { excludedNodes: excludedNode ? [excludedNode] : [] });
      if (h.status === 'yellow' && v.onlyVersionReplicas) return { ok: true };
      return {
        ok: false,
        reason: `cluster is ${h.status} with ${h.unassigned} unassigned shards${v.others.length ? `: ${v.others.slice(0, 3).join('; ')}` : ''}`,
      };
    },
  };
}
