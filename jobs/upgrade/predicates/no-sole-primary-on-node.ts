import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { label } from '../unassigned';

/**
 * The node holds no shard whose only started copy is on it. Terminating an EC2 instance takes its disk with
 * it, so unlike a restart, even an index configured with zero replicas loses data here.
 */
export function noSolePrimaryOnNode(node: PlannedNode): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'no_sole_primary_on_node',
    async check(ctx) {
      const shards = await ctx.deps.es.shards();
      const startedElsewhere = new Map<string, number>();
      for (const s of shards) {
        if (s.node && s.node !== node.name && s.state === 'STARTED') startedElsewhere.set(label(s), (startedElsewhere.get(label(s)) ?? 0) + 1);
      }
      const sole = shards.filter((s) => s.node === node.name && (s.state === 'STARTED' || s.state === 'RELOCATING') && !startedElsewhere.get(label(s)));
      if (sole.length === 0) return { ok: true };
      const copies = (s: (typeof sole)[number]) => shards.filter((x) => label(x) === label(s)).length;
      const names = sole.slice(0, 5).map((s) => `${label(s)} (${s.primary ? 'primary' : 'replica'}, ${copies(s) - 1 === 0 ? 'no replica configured' : `${copies(s) - 1} other copies not started`})`);
      return { ok: false, reason: `${node.name} holds the only started copy of ${sole.length} shards: ${names.join(', ')}${sole.length > 5 ? ' …' : ''}` };
    },
  };
}
