import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { allMastersPresentAndElected } from './all-masters-present-and-elected';
import { asgWillReplace } from './asg-will-replace';
import { clusterGreenOrOnlyVersionReplicasUnassigned } from './cluster-green-or-only-version-replicas-unassigned';
import { instanceVersionUnchanged } from './instance-version-unchanged';
import { noInitializingOrRelocatingShards } from './no-initializing-or-relocating-shards';
import { noOtherNodeOut } from './no-other-node-out';
import { noSolePrimaryOnNode } from './no-sole-primary-on-node';

/** Every check that must hold right before `node`'s instance is terminated, cheapest and most telling first. */
export function terminatePredicates(node: PlannedNode, stepName: string): Predicate<UpgradeArgs, UpgradeDeps>[] {
  return [
    instanceVersionUnchanged(node),
    noOtherNodeOut(node),
    allMastersPresentAndElected(),
    noInitializingOrRelocatingShards(),
    clusterGreenOrOnlyVersionReplicasUnassigned(node.name),
    noSolePrimaryOnNode(node),
    asgWillReplace(node),
  ].map((p) => passWhenTerminatedInFlight(p, node, stepName));
}

/**
 * The runner re-checks predicates before asking `alreadyDone` on resume. Once this very step has terminated
 * the instance, "the node is present" and friends can never hold again; the step's own alreadyDone must decide.
 */
function passWhenTerminatedInFlight(p: Predicate<UpgradeArgs, UpgradeDeps>, node: PlannedNode, stepName: string): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: p.name,
    async check(ctx) {
      if (ctx.data.inFlight === stepName) {
        const [inst] = await ctx.deps.aws.instances([node.instanceId]);
        if (!inst || inst.state === 'shutting-down' || inst.state === 'terminated') return { ok: true };
      }
      return p.check(ctx);
    },
  };
}

export {
  allMastersPresentAndElected,
  asgWillReplace,
  clusterGreenOrOnlyVersionReplicasUnassigned,
  instanceVersionUnchanged,
  noInitializingOrRelocatingShards,
  noOtherNodeOut,
  noSolePrimaryOnNode,
};
