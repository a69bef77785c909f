import { formatDuration } from '../../../src/config/duration';
import type { Step } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { patchProgress, type Ctx } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { terminatePredicates } from '../predicates';
import { terminateApproval } from './terminate-instance';

/**
 * A master-eligible node leaves the voting configuration before its instance goes, so losing it never costs
 * the cluster its quorum. Its own recorded step: a worker that dies between the exclusion and the terminate
 * resumes knowing the exclusion is the job's, not someone else's. The approval for the terminate is asked
 * here, before the vote is withdrawn: an elected master steps down at once, and the cluster should not wait
 * for a human with one voter fewer.
 */
export function withdrawVoteStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: `${node.name}/withdraw-vote`,
    label: `Withdraw the vote of ${node.name}`,
    destructive: true,
    predicates: terminatePredicates(node, { beforeVoteWithdrawn: true }),
    // Its facts (instance, node, versions) are known before the wait ends: asked while the wait still runs.
    askAhead: true,
    approval: async () => terminateApproval(node, '; its vote is withdrawn from the voting configuration first'),
    async alreadyDone(ctx: Ctx) {
      const [exclusions, elected] = await Promise.all([ctx.deps.es.votingExclusions(), ctx.deps.es.electedMaster()]);
      const done = exclusions.known && exclusions.names.includes(node.name) && !!elected && elected !== node.name;
      if (done) await patchProgress(ctx, node.name, { votingExcluded: true });
      return done;
    },
    async run(ctx: Ctx) {
      const { es, settings } = ctx.deps;
      // Recorded before the call: from here on, predicates count the exclusion as the job's own.
      await patchProgress(ctx, node.name, { votingExcluded: true });
      await es.addVotingExclusion(node.name);
      const deadline = ctx.clock.now() + settings.leaveTimeout;
      // The exclusion makes an elected master step down; the step is done once another one has taken over.
      for (;;) {
        const elected = await es.electedMaster();
        if (elected && elected !== node.name) return { done: `${node.name} excluded from voting; ${elected} is the elected master` };
        if (ctx.clock.now() >= deadline) {
          throw new Error(`no other master was elected within ${formatDuration(settings.leaveTimeout)} after excluding ${node.name} from voting; nothing was terminated. Check the masters' logs, then clear the exclusion (\`DELETE _cluster/voting_config_exclusions\`) or run the upgrade again`);
        }
        await ctx.progress(elected ? `${node.name} is still the elected master; waiting for it to hand over` : 'waiting for a master to be elected');
        await ctx.clock.sleep(settings.pollInterval, ctx.signal);
      }
    },
  };
}
