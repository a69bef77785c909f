import type { IndexProgress, Plan, ReindexCtx } from './types';

export function planOf(state: Readonly<Record<string, unknown>>): Plan | undefined {
  return state.plan as Plan | undefined;
}

export function mustPlan(ctx: ReindexCtx): Plan {
  const plan = planOf(ctx.state);
  if (!plan) throw new Error('the reindex plan is missing from the job state; start the job again with /elk reindex');
  return plan;
}

const key = (index: string) => `index:${index}`;

export function progressOf(state: Readonly<Record<string, unknown>>, index: string): IndexProgress {
  return (state[key(index)] as IndexProgress | undefined) ?? {};
}

/** Job state is merged one level deep, so an index's record is rewritten whole. */
export async function saveProgress(ctx: ReindexCtx, index: string, patch: Partial<IndexProgress>): Promise<IndexProgress> {
  const next = { ...progressOf(ctx.state, index), ...patch };
  await ctx.setState({ [key(index)]: next });
  return next;
}

export function tempName(ctx: ReindexCtx, index: string): string {
  return `${index}${ctx.data.args.suffix ?? ctx.deps.settings.suffix}`;
}
