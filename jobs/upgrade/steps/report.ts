import type { Step } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { planOf, progressOf, type Ctx } from '../job-state';
import type { UpgradeDeps } from '../ports';
import { upgradeResult } from '../summary';
import { plural } from '../../../src/slack/blocks/text';

/** Checks every replaced node runs the target, and posts the summary to the webhook when one is configured. */
export function reportStep(): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'report',
    label: 'Check the versions and report',
    async run(ctx: Ctx) {
      const plan = planOf(ctx);
      const nodes = await ctx.deps.es.nodes();
      const behind = plan.nodes.flatMap((n) => {
        const id = progressOf(ctx, n.name).replacement?.nodeId;
        const now = nodes.find((x) => x.id === id);
        return now && now.version === n.target ? [] : [`${n.name} (${now ? `runs ${now.version}` : 'replacement not in the cluster'})`];
      });
      let webhook = '';
      if (ctx.deps.postSummary) {
        try {
          await ctx.deps.postSummary(upgradeResult(ctx.data));
          webhook = '; summary posted to the webhook';
        } catch (err) {
          webhook = `; ⚠️ the summary webhook failed: ${(err as Error).message}`;
        }
      }
      if (behind.length) return { stop: `replaced nodes not at the target: ${behind.join(', ')}${webhook}`, reason: 'failed' };
      return { done: `every replaced node runs its target version (${plural(plan.nodes.length, 'node')})${webhook}` };
    },
  };
}
