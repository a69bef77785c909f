import { formatDuration } from '../../../src/config/duration';
import type { Step, StepOutcome } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { patchProgress, planOf, progressOf, timeouts, type Ctx } from '../job-state';
import { runsOn } from '../node-mapping';
import type { PlannedNode } from '../plan';
import type { InstanceFacts, UpgradeDeps } from '../ports';

const DEAD = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

/** Waits for the group's replacement instance to run the target version and for its node to join. */
export function awaitReplacementStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: `${node.name}/await-replacement`,
    label: `Wait for the replacement of ${node.name} to join`,
    async run(ctx: Ctx): Promise<StepOutcome> {
      const { es, settings } = ctx.deps;
      const plan = planOf(ctx);
      let wait = progressOf(ctx, node.name).joinWait;
      if (!wait) wait = (await patchProgress(ctx, node.name, { joinWait: { deadline: ctx.clock.now() + timeouts(ctx).join, round: 1 } })).joinWait!;
      let countReached = false;
      for (;;) {
        const inst = await findReplacement(ctx, node);
        if (inst && DEAD.has(inst.state)) {
          const failed = [...(progressOf(ctx, node.name).failedReplacements ?? []), inst.id];
          const d = await ctx.decide(`boot-failed-${inst.id}`, {
            action: `replacement instance ${inst.id} for ${node.name} failed to boot: it is ${inst.state} and its node never joined. Keep waiting for the group to launch another, or abort?`,
            details: { Group: node.group, Instance: inst.id, State: inst.state },
            approveLabel: 'Keep waiting',
            rejectLabel: 'Abort',
          });
          if (!d.approved) return { stop: `replacement ${inst.id} for ${node.name} failed to boot (${inst.state}); ${d.by === 'timeout' ? 'nobody decided in time' : `aborted by <@${d.by}>`}. Check the group's activity history and the launch template`, reason: 'failed' };
          await patchProgress(ctx, node.name, { failedReplacements: failed, replacement: undefined, joinWait: { deadline: ctx.clock.now() + timeouts(ctx).join, round: wait.round + 1 } });
          wait = progressOf(ctx, node.name).joinWait!;
          continue;
        }
        if (inst && inst.state === 'running' && inst.tags[settings.versionTag] !== node.target) {
          return {
            stop: `the group ${node.group} launched ${inst.id} tagged ${settings.versionTag}=${inst.tags[settings.versionTag] ?? '(none)'}, not ${node.target}: its launch template does not carry the target version. Fix the template; nothing more will be terminated`,
            reason: 'failed',
          };
        }
        const nodes = await es.nodes();
        const joined = inst && inst.state === 'running' ? nodes.find((n) => runsOn(n, inst, settings.nodeMapping) && n.id !== node.id) : undefined;
        if (joined) {
          await patchProgress(ctx, node.name, { replacement: { instanceId: inst!.id, node: joined.name, nodeId: joined.id }, joinedAt: ctx.clock.now() });
          return { done: `${inst!.id} is running ${node.target}; node ${joined.name} (${joined.version}) joined`, figures: { nodes: `${nodes.length} of ${plan.expectedNodes}` } };
        }
        if (ctx.clock.now() >= wait.deadline) {
          const what = !inst
            ? `the group ${node.group} has launched no replacement for ${node.instanceId}`
            : inst.state !== 'running'
              ? `replacement ${inst.id} is still ${inst.state}`
              : `replacement ${inst.id}${inst.privateIp ? ` (${inst.privateIp})` : ''} is running but its node has not joined the cluster — check its Elasticsearch log (discovery, version, certificates)`;
          const d = await ctx.decide(`join-timeout-${wait.round}`, {
            action: `${what} after ${formatDuration(timeouts(ctx).join)}. Keep waiting another ${formatDuration(timeouts(ctx).join)}, or abort?`,
            details: { Node: node.name, Group: node.group, Nodes: `${nodes.length} of ${plan.expectedNodes} in the cluster` },
            approveLabel: 'Keep waiting',
            rejectLabel: 'Abort',
          });
          if (!d.approved) return { stop: `${what}; ${d.by === 'timeout' ? 'nobody decided in time' : `aborted by <@${d.by}>`}. The cluster is one node short until the replacement joins`, reason: 'failed' };
          wait = (await patchProgress(ctx, node.name, { joinWait: { deadline: ctx.clock.now() + timeouts(ctx).join, round: wait.round + 1 } })).joinWait!;
          continue;
        }
        await ctx.progress(inst ? `replacement ${inst.id} is ${inst.state}; waiting for its node to join` : `waiting for ${node.group} to launch a replacement`);
        // Long poll on the node count: a join is seen the moment it happens; EC2 is re-read between polls.
        const full = await es.health({ nodes: `>=${plan.expectedNodes}`, timeoutMs: Math.min(settings.pollTimeout, Math.max(0, wait.deadline - ctx.clock.now())) });
        // The count was already reached last time and still no replacement: poll instead of spinning.
        if (!full.timedOut && countReached) await ctx.clock.sleep(settings.pollInterval, ctx.signal);
        countReached = !full.timedOut;
      }
    },
  };
}

/** The group's newest instance that was not there when the plan was made and is not another node's replacement or a failed boot. */
async function findReplacement(ctx: Ctx, node: PlannedNode): Promise<InstanceFacts | undefined> {
  const { aws } = ctx.deps;
  const plan = planOf(ctx);
  const mine = progressOf(ctx, node.name);
  if (mine.replacement) {
    const id = mine.replacement.instanceId;
    // EC2 forgets terminated instances after a while: one we picked and can no longer find has died.
    return (await aws.instances([id]))[0] ?? { id, state: 'terminated', tags: {} };
  }
  const claimed = new Set([
    ...plan.knownInstances,
    ...(mine.failedReplacements ?? []),
    ...plan.nodes.filter((n) => n.name !== node.name).flatMap((n) => progressOf(ctx, n.name).replacement?.instanceId ?? []),
  ]);
  const [g] = await aws.groups([node.group]);
  const fresh = (g?.instances ?? []).map((i) => i.id).filter((id) => !claimed.has(id));
  if (fresh.length === 0) return undefined;
  const facts = (await aws.instances(fresh)).sort((a, b) => (b.launchTime ?? 0) - (a.launchTime ?? 0));
  const pick = facts.find((i) => !DEAD.has(i.state)) ?? facts[0];
  if (pick) await patchProgress(ctx, node.name, { replacement: { instanceId: pick.id } });
  return pick;
}
