import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { label } from '../unassigned';
import { plural } from '../../../src/slack/blocks/text';

/**
 * Every shard with a copy on the node has another started copy on some other node. Terminating an EC2
 * instance takes its disk with it, so unlike a restart, even an index configured with zero replicas loses
 * data here.
 */
export function everyShardOnNodeHasAStartedCopyElsewhere(node: PlannedNode): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'every_shard_on_node_has_a_started_copy_elsewhere',
    async check(ctx) {
      const shards = await ctx.deps.es.shards();
      // A relocating copy still serves from its source until the target has started.
      const startedElsewhere = new Set(shards.filter((s) => s.node && s.node !== node.name && (s.state === 'STARTED' || s.state === 'RELOCATING')).map(label));
      const sole = [...new Set(shards.filter((s) => s.node === node.name && !startedElsewhere.has(label(s))).map(label))];
      if (sole.length === 0) return { ok: true };
      const describe = (l: string) => {
        const copies = shards.filter((x) => label(x) === l);
        const mine = copies.find((x) => x.node === node.name)!;
        const others = copies.length - 1;
        return `${l} (${mine.primary ? 'primary' : 'replica'}, ${others === 0 ? 'no replica configured' : `${plural(others, 'other copy', 'other copies')} not started`})`;
      };
      return {
        ok: false,
        reason: `${node.name} holds the only started copy of ${plural(sole.length, 'shard')}: ${sole.slice(0, 5).map(describe).join(', ')}${sole.length > 5 ? ' …' : ''}; add a replica (\`index.number_of_replicas\`) or wait for the other copies to start`,
      };
    },
  };
}
