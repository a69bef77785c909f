import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { label } from '../unassigned';

/**
 * No copy on the node is initializing, relocating away, or arriving: its instance would take a half-copied
 * shard with it. Recoveries and rebalancing between other nodes do not concern it and do not block.
 */
export function noShardMovingToOrFromNode(node: PlannedNode): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'no_shard_moving_to_or_from_node',
    async check(ctx) {
      const shards = await ctx.deps.es.shards();
      const moving = shards.flatMap((s) => {
        if (s.state === 'INITIALIZING' && s.node === node.name) return [`${label(s)} ${s.primary ? 'primary' : 'replica'} initializing on it`];
        if (s.state === 'RELOCATING' && s.node === node.name) return [`${label(s)} relocating from it${s.relocatingTo ? ` to ${s.relocatingTo}` : ''}`];
        if (s.state === 'RELOCATING' && s.relocatingTo === node.name) return [`${label(s)} relocating to it from ${s.node}`];
        return [];
      });
      if (moving.length === 0) return { ok: true };
      return { ok: false, reason: `${moving.length} shard copies moving on ${node.name}: ${moving.slice(0, 3).join(', ')}${moving.length > 3 ? ' …' : ''}` };
    },
  };
}
