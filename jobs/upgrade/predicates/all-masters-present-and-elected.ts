import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { planOf } from '../job-state';
import { ownSettings } from '../own-settings';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';

/**
 * The quorum survives taking `node` away: every master-eligible node the plan saw is present, one of them is
 * elected — once its vote is withdrawn, not `node` itself — and no voting exclusion is in place except the
 * one this job made for `node` (an exclusion left by someone else, or by an earlier node, shrinks the quorum).
 */
export function allMastersPresentAndElected(node?: PlannedNode, opts: { beforeVoteWithdrawn?: boolean } = {}): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'all_masters_present_and_elected',
    async check(ctx) {
      const plan = planOf(ctx);
      const [nodes, elected, exclusions] = await Promise.all([ctx.deps.es.nodes(), ctx.deps.es.electedMaster(), ctx.deps.es.votingExclusions()]);
      const masters = nodes.filter((n) => n.roles.includes('master'));
      if (masters.length < plan.masterNodes) return { ok: false, reason: `${masters.length} of ${plan.masterNodes} master-eligible nodes present (${masters.map((m) => m.name).join(', ') || 'none'})` };
      if (!elected) return { ok: false, reason: `no elected master (${masters.length} master-eligible nodes present)` };
      if (!exclusions.known) return { ok: false, reason: `the voting configuration exclusions are unknown: ${exclusions.why}` };
      const own = ownSettings(ctx).votingExcluded.filter((n) => n === node?.name);
      const stale = exclusions.names.filter((name) => nodes.some((n) => n.name === name) && !own.includes(name));
      if (stale.length) return { ok: false, reason: `voting configuration exclusion in place for ${stale.join(', ')}, which is still in the cluster, and not made by this job for ${node?.name ?? 'this step'}: clear it (\`DELETE _cluster/voting_config_exclusions?wait_for_removal=false\`) if nobody needs it` };
      // Before its vote is withdrawn an elected master is fine: withdrawing it makes the node hand over.
      if (node?.roles.includes('master') && elected === node.name && !opts.beforeVoteWithdrawn) {
        return { ok: false, reason: `${node.name} is the elected master${own.length ? ' although its vote was withdrawn: waiting for it to hand over' : ''}` };
      }
      return { ok: true };
    },
  };
}
