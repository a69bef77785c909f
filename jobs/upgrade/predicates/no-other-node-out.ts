import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { planOf } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';

/** Never two nodes out: the cluster has every node the plan counted, the one about to go included. */
export function noOtherNodeOut(node: PlannedNode): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'no_other_node_out',
    async check(ctx) {
      const plan = planOf(ctx);
      const nodes = await ctx.deps.es.nodes();
      if (!nodes.some((n) => n.id === node.id)) return { ok: false, reason: `${node.name} is not in the cluster any more (${nodes.length} of ${plan.expectedNodes} nodes present)` };
      if (nodes.length >= plan.expectedNodes) return { ok: true };
      return { ok: false, reason: `${nodes.length} of ${plan.expectedNodes} nodes in the cluster: another node is out, taking ${node.name} away would make two` };
    },
  };
}
