import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { describeOwn, ownSettings } from '../own-settings';
import type { UpgradeDeps } from '../ports';
import { classifyUnassigned } from '../unassigned';

/**
 * Green, or yellow only because of replicas that are expected to be unassigned right now (allocation explain):
 * held back by `node_version` (a replica cannot go to a node older than its primary's), by `same_shard`, by
 * the job's own `enable=primaries` or allocation exclusion, or about to be assigned (throttled, delayed).
 */
export function clusterGreenOrOnlyExpectedReplicasUnassigned(): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'cluster_green_or_only_expected_replicas_unassigned',
    async check(ctx) {
      const h = await ctx.deps.es.health();
      if (h.status === 'green') return { ok: true };
      const own = ownSettings(ctx);
      const v = await classifyUnassigned(ctx.deps.es, { own });
      if (h.status === 'yellow' && v.others.length === 0) return { ok: true };
      const ours = v.ownInvolved ? `; this job's own ${describeOwn(own)} is in place and holds back some of them — that part is expected` : '';
      return {
        ok: false,
        reason: `cluster is ${h.status} with ${h.unassigned} unassigned shards${v.others.length ? `: ${v.others.slice(0, 3).join('; ')}` : ''}${ours}. See \`GET _cluster/allocation/explain\` for one of them`,
      };
    },
  };
}
