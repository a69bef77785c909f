import type { Step, StepOutcome } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { Ctx } from '../job-state';
import { buildPlan, formatPlan, type Plan } from '../plan';
import type { UpgradeDeps } from '../ports';
import { terminatePredicates } from '../predicates';
import { plural } from '../../../src/slack/blocks/text';

/** Reads the estate, records the plan, posts it with the safety predicates' verdicts for the first node. */
export function planStep(): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'plan',
    label: 'Plan the upgrade',
    async run(ctx: Ctx): Promise<StepOutcome> {
      // A resumed job keeps the plan it posted: the estate changes under it as soon as the first node goes.
      const plan = (ctx.state.plan as Plan | undefined) ?? (await buildPlan(ctx.deps, ctx.data.args, ctx.clock.now()));
      // The card's ETA starts from the plan's per-node figures and corrects them by each node's measured time.
      await ctx.setState({ plan, estimate: { totalMs: plan.estimateMs, groups: Object.fromEntries(plan.nodes.map((n) => [n.name, n.estimateMs])) } });
      await ctx.say(formatPlan(plan, ctx.clock.speed));
      const first = plan.nodes[0];
      if (!first) return { done: 'nothing to replace', figures: { skipped: String(plan.skipped.length) } };
      const checks = await Promise.all(
        terminatePredicates(first, { beforeVoteWithdrawn: first.kind === 'master' }).map(async (p) => ({ name: p.name, r: await p.check(ctx) })),
      );
      // A data node's shards are moved off before its turn: what it holds now does not block it.
      const drained = (name: string) => first.kind === 'data' && name === 'every_shard_on_node_has_a_started_copy_elsewhere';
      const failing = checks.filter((c) => !c.r.ok && !drained(c.name));
      const line = (c: (typeof checks)[number]) =>
        c.r.ok ? `✅ \`${c.name}\`` : drained(c.name) ? `⏳ \`${c.name}\`: ${c.r.reason} — the drain step moves these first` : `⛔ \`${c.name}\`: ${c.r.reason}`;
      await ctx.say(`*Safety predicates now* (for ${first.name}, the first node):\n${checks.map(line).join('\n')}`);
      const verdict = failing.length ? `${failing.length} predicate(s) would block now: ${failing.map((c) => c.name).join(', ')}` : 'all predicates pass';
      return {
        done: `${plural(plan.nodes.length, 'node')} to replace${ctx.data.args.dryRun ? ' (dry run: nothing was changed)' : ''}; ${verdict}`,
        figures: { nodes: String(plan.nodes.length), skipped: String(plan.skipped.length) },
      };
    },
  };
}
