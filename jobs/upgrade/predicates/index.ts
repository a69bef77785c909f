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
export function terminatePredicates(node: PlannedNode): Predicate<UpgradeArgs, UpgradeDeps>[] {
  return [
    instanceVersionUnchanged(node),
    noOtherNodeOut(node),
    allMastersPresentAndElected(),
    noInitializingOrRelocatingShards(),
    clusterGreenOrOnlyVersionReplicasUnassigned(node.name),
    noSolePrimaryOnNode(node),
    asgWillReplace(node),
  ];
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
