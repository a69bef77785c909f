import { formatDuration } from '../../../src/config/duration';
import type { Step } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { patchProgress, planOf, type Ctx } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';

/** Waits until the old node is gone from the cluster (and, for a master, another one is elected). */
export function awaitLeaveStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: `${node.name}/await-leave`,
    label: `Wait for ${node.name} to leave the cluster`,
    async run(ctx: Ctx) {
      const { es, settings } = ctx.deps;
      const plan = planOf(ctx);
      const deadline = ctx.clock.now() + settings.leaveTimeout;
      for (let first = true; ; first = false) {
        // Check first: after a resume the node may be long gone (and its replacement already in, so a
        // "fewer nodes than planned" long poll would only run out its timeout).
        if (!first) {
          const remaining = Math.max(0, deadline - ctx.clock.now());
          // Long poll: returns as soon as the cluster counts fewer nodes than planned.
          await es.health({ nodes: `<${plan.expectedNodes}`, timeoutMs: Math.min(settings.pollTimeout, remaining) });
        }
        const [nodes, elected] = await Promise.all([es.nodes(), es.electedMaster()]);
        const gone = !nodes.some((n) => n.id === node.id);
        if (gone && (node.kind !== 'master' || elected)) {
          await patchProgress(ctx, node.name, { leftAt: ctx.clock.now() });
          await warnMixedVersions(ctx);
          return { done: `${node.name} left; ${nodes.length} of ${plan.expectedNodes} nodes in the cluster${elected ? `, master ${elected}` : ''}` };
        }
        if (!first && ctx.clock.now() >= deadline) {
          const why = gone ? 'no master has been elected since' : `${node.name} is still in the cluster although its instance was terminated`;
          throw new Error(`${why} after ${formatDuration(settings.leaveTimeout)}. Nothing else was terminated; check the cluster (\`GET _cat/nodes\`, \`GET _cat/master\`) and run the upgrade again`);
        }
        await ctx.progress(gone ? 'waiting for a master to be elected' : `waiting for ${node.name} to leave`);
        // The long poll returns at once while the count is already low (another node out, or an election pending).
        if (!first && (gone || nodes.length < plan.expectedNodes)) await ctx.clock.sleep(settings.pollInterval, ctx.signal);
      }
    },
  };
}

async function warnMixedVersions(ctx: Ctx): Promise<void> {
  if (ctx.state.kibanaWarned) return;
  await ctx.setState({ kibanaWarned: true });
  await ctx.say('⚠️ The cluster now runs mixed versions until the last node is replaced: Kibana may refuse to work until every node shares one version.');
}
