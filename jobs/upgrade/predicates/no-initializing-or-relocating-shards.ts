import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { UpgradeDeps } from '../ports';
import { label } from '../unassigned';

/** Taking a node away while shards are still copying can leave a shard with its only copy in flight. */
export function noInitializingOrRelocatingShards(): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'no_initializing_or_relocating_shards',
    async check(ctx) {
      const h = await ctx.deps.es.health();
      if (h.initializing === 0 && h.relocating === 0) return { ok: true };
      const moving = (await ctx.deps.es.shards()).filter((s) => s.state === 'INITIALIZING' || s.state === 'RELOCATING');
      const names = moving.slice(0, 3).map((s) => `${label(s)} ${s.state.toLowerCase()}${s.node ? ` on ${s.node}` : ''}`);
      return { ok: false, reason: `${h.initializing} shards initializing, ${h.relocating} relocating${names.length ? ` (${names.join(', ')})` : ''}` };
    },
  };
}
