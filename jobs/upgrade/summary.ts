import { clusterDuration } from '../../src/config/duration';
import type { JobData, JobSummary } from '../../src/runner/types';
import type { UpgradeArgs } from './args';
import { progressOf, terminatedOf } from './job-state';
import type { Plan } from './plan';
import { plural } from '../../src/slack/blocks/text';

export interface UpgradeResult {
  cluster: string;
  target?: string;
  replaced: Array<{ node: string; instanceId: string; replacement?: string; replacementNode?: string; ms: number; note?: string }>;
  totalMs: number;
  /** Every instance the job terminated, with its Name tag: deployment agents registered by them are dead. */
  terminated: Array<{ instanceId: string; name?: string; node: string }>;
}

export function upgradeResult(data: Readonly<JobData<UpgradeArgs>>): UpgradeResult {
  const plan = data.state.plan as Plan | undefined;
  const replaced = (plan?.nodes ?? []).flatMap((n) => {
    const recs = data.records.filter((r) => r.step.startsWith(`${n.name}/`));
    const p = progressOf(data, n.name);
    if (!recs.some((r) => r.step === `${n.name}/await-green`)) return [];
    const ms = Math.max(...recs.map((r) => r.finishedAt)) - Math.min(...recs.map((r) => r.startedAt));
    return [{ node: n.name, instanceId: n.instanceId, replacement: p.replacement?.instanceId, replacementNode: p.replacement?.node, ms, note: p.greenNote }];
  });
  const first = data.records[0]?.startedAt ?? data.requestedAt;
  const last = data.records.at(-1)?.finishedAt ?? first;
  return {
    cluster: data.cluster,
    target: plan?.nodes[0]?.target,
    replaced,
    totalMs: last - first,
    terminated: terminatedOf(data).map(({ instanceId, name, node }) => ({ instanceId, name, node })),
  };
}

/** `speed`: the cluster clock's; its durations are labelled as cluster time when it is accelerated. */
export function upgradeSummary(data: Readonly<JobData<UpgradeArgs>>, speed = 1): JobSummary {
  const r = upgradeResult(data);
  const plan = data.state.plan as Plan | undefined;
  if (data.args.dryRun) return { text: `Dry run: ${plural(plan?.nodes.length ?? 0, 'node')} would be replaced; nothing was changed.`, result: { ...r } };
  const per = r.replaced.map((x) => `• \`${x.node}\` ${x.instanceId} → ${x.replacement ?? '?'}${x.replacementNode && x.replacementNode !== x.node ? ` (${x.replacementNode})` : ''}: ${clusterDuration(x.ms, speed)}`);
  const dead = r.terminated.length ? `*Terminated instances* (clean up their deployment agents): ${r.terminated.map((t) => `${t.instanceId}${t.name ? ` (${t.name})` : ''}`).join(', ')}` : 'No instance was terminated.';
  return {
    text: [`Upgrade of ${r.cluster}${r.target ? ` to ${r.target}` : ''}: ${plural(r.replaced.length, 'node')} replaced in ${clusterDuration(r.totalMs, speed)}`, ...per, dead].join('\n'),
    result: { ...r },
  };
}
