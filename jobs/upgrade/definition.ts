import type { JobData, JobDefinition, Step } from '../../src/runner/types';
import type { UpgradeArgs } from './args';
import { awaitingReplacement, planOf, progressOf, type Ctx } from './job-state';
import type { Plan, PlannedNode } from './plan';
import type { UpgradeDeps } from './ports';
import { upgradeLeftovers } from './leftovers';
import { restoreSettings } from './restore-settings';
import { awaitGreenStep } from './steps/await-green';
import { awaitLeaveStep } from './steps/await-leave';
import { awaitReplacementStep } from './steps/await-replacement';
import { drainStep } from './steps/drain-node';
import { planStep } from './steps/plan-upgrade';
import { reportStep } from './steps/report';
import { restoreStep } from './steps/restore-allocation';
import { terminateStep } from './steps/terminate-instance';
import { withdrawVoteStep } from './steps/withdraw-vote';
import { upgradeSummary } from './summary';

type UpgradeStep = Step<UpgradeArgs, UpgradeDeps>;

/** One node's replacement, each step recorded before the next. */
export function nodeSteps(node: PlannedNode): UpgradeStep[] {
  return [
    ...(node.kind === 'data' ? [drainStep(node)] : []),
    ...(node.kind === 'master' ? [withdrawVoteStep(node)] : []),
    terminateStep(node),
    awaitLeaveStep(node),
    awaitReplacementStep(node),
    restoreStep(node),
    awaitGreenStep(node),
  ];
}

export const upgradeDefinition: JobDefinition<UpgradeArgs, UpgradeDeps> = {
  kind: 'upgrade',
  destructive: true,
  title(data) {
    const plan = data.state.plan as Plan | undefined;
    const target = data.args.target ?? plan?.nodes[0]?.target;
    return `upgrade ${data.cluster}${target ? ` to ${target}` : ''}${data.args.dryRun ? ' (dry run)' : ''}`;
  },
  steps(data: JobData<UpgradeArgs>) {
    const plan = data.state.plan as Plan | undefined;
    if (data.args.dryRun || !plan) return [planStep()];
    return [planStep(), ...plan.nodes.flatMap(nodeSteps), reportStep()];
  },
  async cleanup(ctx: Ctx) {
    if (!ctx.state.plan) return ['nothing was changed'];
    const plan = planOf(ctx);
    const lines: string[] = [];
    try {
      lines.push(...(await restoreSettings(ctx, { votingExclusions: plan.nodes.some((n) => progressOf(ctx, n.name).votingExcluded) })));
    } catch (err) {
      lines.push(`⚠️ could not restore the allocation settings or voting exclusions: ${(err as Error).message} — check \`GET _cluster/settings\` and \`GET _cluster/state/metadata?filter_path=**.voting_config_exclusions\``);
    }
    try {
      const [h, nodes] = await Promise.all([ctx.deps.es.health(), ctx.deps.es.nodes()]);
      lines.push(`cluster ${h.status}, ${nodes.length} of ${plan.expectedNodes} nodes, ${h.initializing} initializing, ${h.relocating} relocating, ${h.unassigned} unassigned`);
      for (const n of awaitingReplacement(ctx)) lines.push(`${n.instanceId} (${n.name}) was terminated and its replacement has not joined yet: the group will keep trying; watch it`);
    } catch (err) {
      lines.push(`⚠️ could not read the cluster's health: ${(err as Error).message}`);
    }
    const done = plan.nodes.filter((n) => progressOf(ctx, n.name).greenAt).map((n) => n.name);
    if (done.length) lines.push(`already replaced: ${done.join(', ')} — a new run skips them`);
    return lines;
  },
  leftovers: upgradeLeftovers,
  summary(ctx) {
    return upgradeSummary(ctx.data, ctx.clock.speed);
  },
};
