import type { StepContext } from '../../src/runner/types';
import type { UpgradeArgs } from './args';
import type { Plan, PlannedNode } from './plan';
import type { UpgradeDeps } from './ports';

export type Ctx = StepContext<UpgradeArgs, UpgradeDeps>;

/** What the job has done to one node so far; written the moment each fact is known, so a resumed worker knows it too. */
export interface NodeProgress {
  drainMode?: 'move-shards' | 'restart';
  drainReason?: string;
  votingExcluded?: boolean;
  terminatedAt?: number;
  leftAt?: number;
  replacement?: { instanceId: string; node?: string; nodeId?: string };
  /** Instances launched for this node that died before their node joined; never picked again. */
  failedReplacements?: string[];
  joinedAt?: number;
  /** Deadline and round of the current join / green wait, so a resumed wait keeps its clock and its question ids. */
  joinWait?: { deadline: number; round: number };
  greenWait?: { deadline: number; round: number };
  greenAt?: number;
  greenNote?: string;
  restored?: boolean;
}

export interface TerminatedInstance {
  instanceId: string;
  name?: string;
  node: string;
  at: number;
}

/** Allocation settings as they were before the job first changed them; restored after every node and on cancel. */
export interface SavedAllocation {
  excludeName: string | null;
  enable: string | null;
}

export function planOf(ctx: Pick<Ctx, 'state'>): Plan {
  const plan = ctx.state.plan as Plan | undefined;
  if (!plan) throw new Error('the upgrade plan is missing from the job state; start the upgrade again');
  return plan;
}

export function progressOf(ctx: Pick<Ctx, 'state'>, node: string): NodeProgress {
  return (ctx.state[`node:${node}`] as NodeProgress | undefined) ?? {};
}

/** Nodes the job terminated whose replacement has not joined yet: the group is still working on them. */
export function awaitingReplacement(ctx: Pick<Ctx, 'state'>): PlannedNode[] {
  return planOf(ctx).nodes.filter((n) => progressOf(ctx, n.name).terminatedAt && !progressOf(ctx, n.name).joinedAt);
}

export async function patchProgress(ctx: Ctx, node: string, patch: Partial<NodeProgress>): Promise<NodeProgress> {
  const next = { ...progressOf(ctx, node), ...patch };
  await ctx.setState({ [`node:${node}`]: next });
  return next;
}

export function terminatedOf(ctx: Pick<Ctx, 'state'>): TerminatedInstance[] {
  return (ctx.state.terminated as TerminatedInstance[] | undefined) ?? [];
}

export async function recordTerminated(ctx: Ctx, node: PlannedNode, at: number): Promise<void> {
  const list = terminatedOf(ctx);
  if (list.some((t) => t.instanceId === node.instanceId)) return;
  await ctx.setState({ terminated: [...list, { instanceId: node.instanceId, name: node.instanceName, node: node.name, at }] });
}

export function savedAllocationOf(ctx: Pick<Ctx, 'state'>): SavedAllocation | undefined {
  return ctx.state.savedAllocation as SavedAllocation | undefined;
}

export function timeouts(ctx: Pick<Ctx, 'data' | 'deps'>): { green: number; join: number } {
  return {
    green: ctx.data.args.greenTimeoutMs ?? ctx.deps.settings.greenTimeout,
    join: ctx.data.args.joinTimeoutMs ?? ctx.deps.settings.joinTimeout,
  };
}

export function excludeList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
