import type { ApprovalRequest, Step } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { patchProgress, recordTerminated, type Ctx } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { terminatePredicates } from '../predicates';
import { plural } from '../../../src/slack/blocks/text';

const GONE = new Set(['shutting-down', 'terminated']);

/** Terminates the node's instance so its group launches a replacement from the current launch template. */
export function terminateStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  const name = `${node.name}/terminate`;
  return {
    name,
    label: `Terminate ${node.instanceId} (${node.name})`,
    destructive: true,
    predicates: terminatePredicates(node),
    // Its facts (instance, node, versions) are known before the wait ends: asked while the wait still runs.
    askAhead: true,
    // A master-eligible node's terminate was approved by its withdraw-vote step, right before the exclusion.
    ...(node.kind === 'master' ? {} : { approval: async () => terminateApproval(node) }),
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
      await aws.terminate(node.instanceId, settings.terminateVia);
      const at = ctx.clock.now();
      await recordTerminated(ctx, node, at);
      await patchProgress(ctx, node.name, { terminatedAt: at });
      return { done: `${node.instanceId} terminated via ${settings.terminateVia === 'autoscaling' ? 'Auto Scaling (desired capacity kept)' : 'EC2'}` };
    },
  };
}

export function terminateApproval(node: PlannedNode, extra = ''): ApprovalRequest {
  return {
    action: `terminate ${node.instanceId} (${node.name}, ${node.role}, ${node.version}); the group will launch ${node.target}${extra}`,
    details: {
      Instance: `${node.instanceId}${node.instanceName ? ` (${node.instanceName})` : ''}`,
      Group: node.group,
      Node: `${node.name} · ${node.role} · ${plural(node.shards, 'shard')}`,
      Version: `${node.version} → ${node.target}`,
    },
  };
}
