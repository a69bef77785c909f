import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { allMastersPresentAndElected } from './all-masters-present-and-elected';
import { asgWillReplace } from './asg-will-replace';
import { clusterGreenOrOnlyExpectedReplicasUnassigned } from './cluster-green-or-only-expected-replicas-unassigned';
import { everyShardOnNodeHasAStartedCopyElsewhere } from './every-shard-on-node-has-a-started-copy-elsewhere';
import { instanceVersionUnchanged } from './instance-version-unchanged';
import { noOpenAlertOnCluster } from './no-open-alert-on-cluster';
import { noOtherNodeOut } from './no-other-node-out';
import { noPrimaryUnassigned } from './no-primary-unassigned';
import { noShardMovingToOrFromNode } from './no-shard-moving-to-or-from-node';

const holdsData = (node: PlannedNode) => node.roles.some((r) => r === 'data' || r.startsWith('data_'));

/**
 * Every check that must hold right before `node`'s instance is terminated, cheapest and most telling first.
 * Each looks at what concerns `node`: shard movement elsewhere does not block, and a dedicated master is gated
 * on the masters only.
 */
export function terminatePredicates(node: PlannedNode, opts: { beforeVoteWithdrawn?: boolean } = {}): Predicate<UpgradeArgs, UpgradeDeps>[] {
  return [
    instanceVersionUnchanged(node),
    noOtherNodeOut(node),
    allMastersPresentAndElected(node, opts),
    noPrimaryUnassigned(),
    ...(holdsData(node) ? [noShardMovingToOrFromNode(node), everyShardOnNodeHasAStartedCopyElsewhere(node), clusterGreenOrOnlyExpectedReplicasUnassigned()] : []),
    asgWillReplace(node),
  ];
}

/**
 * The policy hold added to every step that takes a node away (terminate, and a master's vote withdrawal before
 * it) when elastalert.alerts.holdUpgradesOn is set; checked last, so a cluster-safety predicate that blocks is
 * the one named. Kept out of terminatePredicates: the step list's predicates stay those of cluster safety.
 */
export function withAlertHold<S extends { name: string; predicates?: Predicate<UpgradeArgs, UpgradeDeps>[] }>(steps: S[]): S[] {
  return steps.map((s) => (/\/(terminate|withdraw-vote)$/.test(s.name) ? { ...s, predicates: [...(s.predicates ?? []), noOpenAlertOnCluster()] } : s));
}

export {
  allMastersPresentAndElected,
  noOpenAlertOnCluster,
  asgWillReplace,
  clusterGreenOrOnlyExpectedReplicasUnassigned,
  everyShardOnNodeHasAStartedCopyElsewhere,
  instanceVersionUnchanged,
  noOtherNodeOut,
  noPrimaryUnassigned,
  noShardMovingToOrFromNode,
};
