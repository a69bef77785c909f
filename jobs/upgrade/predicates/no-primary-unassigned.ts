import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { UpgradeDeps } from '../ports';
import { label } from '../unassigned';

/** No primary is unassigned anywhere: taking any node away while the cluster is short of a primary risks more. */
export function noPrimaryUnassigned(): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'no_primary_unassigned',
    async check(ctx) {
      const missing = (await ctx.deps.es.shards()).filter((s) => s.primary && s.state === 'UNASSIGNED');
      if (missing.length === 0) return { ok: true };
      const names = missing.slice(0, 5).map((s) => `${label(s)}${s.unassignedReason ? ` (${s.unassignedReason})` : ''}`);
      return { ok: false, reason: `${missing.length} primary shards unassigned: ${names.join(', ')}${missing.length > 5 ? ' …' : ''}; see \`GET _cluster/allocation/explain\`` };
    },
  };
}
