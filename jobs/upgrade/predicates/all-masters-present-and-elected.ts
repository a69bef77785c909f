import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { planOf } from '../job-state';
import type { UpgradeDeps } from '../ports';

/** Every master-eligible node the plan saw is back, one of them is elected, and no earlier voting exclusion is left over. */
export function allMastersPresentAndElected(): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'all_masters_present_and_elected',
    async check(ctx) {
      const plan = planOf(ctx);
      const [nodes, elected, exclusions] = await Promise.all([ctx.deps.es.nodes(), ctx.deps.es.electedMaster(), ctx.deps.es.votingExclusions()]);
      const masters = nodes.filter((n) => n.roles.includes('master'));
      if (masters.length < plan.masterNodes) return { ok: false, reason: `${masters.length} of ${plan.masterNodes} master-eligible nodes present (${masters.map((m) => m.name).join(', ') || 'none'})` };
      if (!elected) return { ok: false, reason: `no elected master (${masters.length} master-eligible nodes present)` };
      const stale = exclusions.filter((name) => nodes.some((n) => n.name === name));
      if (stale.length) return { ok: false, reason: `voting configuration exclusion still in place for ${stale.join(', ')}, which is still in the cluster` };
      return { ok: true };
    },
  };
}
