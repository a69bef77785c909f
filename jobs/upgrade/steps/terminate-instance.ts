import { formatDuration } from '../../../src/config/duration';
import type { Step } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { patchProgress, recordTerminated, type Ctx } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { terminatePredicates } from '../predicates';

const GONE = new Set(['shutting-down', 'terminated']);

/** Terminates the node's instance so its group launches a replacement from the current launch template. */
export function terminateStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  const name = `${node.name}/terminate`;
  return {
    name,
    label: `Terminate ${node.instanceId} (${node.name})`,
    destructive: true,
    predicates: terminatePredicates(node),
    async approval() {
      return {
        action: `terminate ${node.instanceId} (${node.name}, ${node.role}, ${node.version}); the group will launch ${node.target}`,
        details: {
          Instance: `${node.instanceId}${node.instanceName ? ` (${node.instanceName})` : ''}`,
          Group: node.group,
          Node: `${node.name} · ${node.role} · ${node.shards} shards`,
          Version: `${node.version} → ${node.target}`,
        },
      };
    },
    async alreadyDone(ctx: Ctx) {
      const [inst] = await ctx.deps.aws.instances([node.instanceId]);
      const done = !inst || GONE.has(inst.state);
      if (done) {
        await recordTerminated(ctx, node, ctx.clock.now());
        await patchProgress(ctx, node.name, { terminatedAt: ctx.clock.now() });
      }
      return done;
    },
    async run(ctx: Ctx) {
      const { aws, settings } = ctx.deps;
      if (node.kind === 'master') await withdrawVote(ctx, node);
      await aws.terminate(node.instanceId, settings.terminateVia);
      const at = ctx.clock.now();
      await recordTerminated(ctx, node, at);
      await patchProgress(ctx, node.name, { terminatedAt: at });
      return { done: `${node.instanceId} terminated via ${settings.terminateVia === 'autoscaling' ? 'Auto Scaling (desired capacity kept)' : 'EC2'}` };
    },
  };
}

/** A master-eligible node leaves the voting configuration first, so losing it never costs the cluster its quorum. */
async function withdrawVote(ctx: Ctx, node: PlannedNode): Promise<void> {
  const { es, settings } = ctx.deps;
  await patchProgress(ctx, node.name, { votingExcluded: true });
  await es.addVotingExclusion(node.name);
  const deadline = ctx.clock.now() + settings.leaveTimeout;
  // The exclusion makes an elected master step down; terminate only once another one has taken over.
  for (;;) {
    const elected = await es.electedMaster();
    if (elected && elected !== node.name) return;
    if (ctx.clock.now() >= deadline) {
      throw new Error(`no other master was elected within ${formatDuration(settings.leaveTimeout)} after excluding ${node.name} from voting; nothing was terminated. Check the masters' logs`);
    }
    await ctx.progress(elected ? `${node.name} is still the elected master; waiting for it to hand over` : 'waiting for a master to be elected');
    await ctx.clock.sleep(settings.pollInterval, ctx.signal);
  }
}
