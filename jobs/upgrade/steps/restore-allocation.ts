import type { Step } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { patchProgress, progressOf, type Ctx } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { restoreSettings } from '../restore-settings';

/** Clears the exclusions and allocation settings the job set for this node, so shards can move onto the replacement. */
export function restoreStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: `${node.name}/restore`,
    label: `Restore allocation settings after ${node.name}`,
    async run(ctx: Ctx) {
      const lines = await restoreSettings(ctx, { votingExclusions: !!progressOf(ctx, node.name).votingExcluded });
      await patchProgress(ctx, node.name, { restored: true });
      return { done: lines.length ? lines.join('; ') : 'nothing to restore' };
    },
  };
}
