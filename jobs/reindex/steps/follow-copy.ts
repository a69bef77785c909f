import { followTask, rateText } from '../follow-task';
import { MEASURED_BASIS, measuredEstimate, type IndexShape } from '../measured-estimate';
import { n } from '../format';
import { groupOf, workOf } from '../../../src/runner/eta';
import { plural } from '../../../src/slack/blocks/text';
import { mustPlan, progressOf, saveProgress } from '../state';
import type { PlannedIndex, ReindexCtx, ReindexStep } from '../types';

/** Waits for the copy task; any failure or unexpected conflict stops here, before anything is deleted. */
export function followCopyStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/follow-copy`,
    label: `Copy ${index.name} into ${index.temp}`,
    async run(ctx) {
      const result = await followTask(ctx, index.name, 'copy', index.name, index.temp);
      if (!result.ok) return { stop: `copy of ${index.name} stopped: ${result.reason}`, reason: 'failed' };
      const copied = result.status.created + result.status.updated;
      const startedAt = ctx.data.records.find((r) => r.step === `${index.name}/start-copy`)?.finishedAt;
      const ms = startedAt !== undefined ? ctx.clock.now() - startedAt : 0;
      await saveProgress(ctx, index.name, { copyMs: ms });
      const wanted = !isEstimated(ctx);
      const estimate = wanted ? await estimateFromCopy(ctx, index, copied, ms) : undefined;
      const left = remainingText(ctx.state, mustPlan(ctx).indices, index.name);
      // The plan promised the estimate after the first copy: when this one cannot give it, say so.
      const none = wanted && !estimate ? `No time estimate from this copy (${copied > 0 && ms > 0 ? 'the cluster\'s figures could not be read' : 'too quick to time'})${left ? '; the next copy gives one' : ''}.` : '';
      const next = estimate?.text ?? [none, left].filter(Boolean).join(' ');
      return {
        done: `${index.temp} received ${n(copied)} of ${n(result.status.total)} documents (${rateText(copied, ms)})${result.attempts > 1 ? `, after ${result.attempts - 1} restart(s)` : ''}.${next ? ` ${next}` : ''}`,
        state: {
          // What the card's ETA and the final "estimated …, took …" go by from here (src/runner/eta.ts).
          ...(estimate ? { estimate: { totalMs: estimate.totalMs, groups: estimate.groups, basis: estimate.basis } } : {}),
        },
      };
    },
  };
}

/** The estimate is made once, from the first copy that can be timed. */
function isEstimated(ctx: ReindexCtx): boolean {
  return (ctx.state.estimate as { basis?: string } | undefined)?.basis === MEASURED_BASIS;
}

/**
 * The estimate the plan promised, from this copy's measured rate and the cluster's own figures (each index's
 * shards and replicas, the recovery throttle, the data nodes): cheap reads, and an estimate that cannot be
 * read is no reason to stop a copy that worked, so a failed read leaves it for the next copy.
 */
async function estimateFromCopy(ctx: ReindexCtx, index: PlannedIndex, copied: number, copyMs: number) {
  const { es, settings } = ctx.deps;
  const plan = mustPlan(ctx);
  try {
    const saved = progressOf(ctx.state, index.name).saved;
    const later = plan.indices.slice(plan.indices.findIndex((i) => i.name === index.name) + 1);
    const [throttle, dataNodes, shapes] = await Promise.all([
      es.recoveryThrottle().catch((e: Error) => e),
      es.dataNodeCount(),
      // The plan read every index's shape in one call; only a plan from before that asks again.
      Promise.all(
        later.map(async (i): Promise<IndexShape | undefined> =>
          i.shards !== undefined && i.replicas !== undefined
            ? { name: i.name, shards: i.shards, replicas: i.replicas }
            : es.settingsOf(i.name).then((s) => ({ name: i.name, shards: s.shards, replicas: s.replicas })).catch(() => undefined),
        ),
      ),
    ]);
    const beforeCopyMs = ctx.data.records.filter((r) => groupOf(r.step) === index.name).reduce((s, r) => s + workOf(r), 0);
    return measuredEstimate({
      plan,
      current: index.name,
      copied,
      copyMs,
      beforeCopyMs,
      shapes: [...(saved ? [{ name: index.name, shards: saved.shards, replicas: saved.replicas }] : []), ...shapes.filter((s): s is IndexShape => !!s)],
      forced: ctx.data.args.restoreVia,
      dataNodes,
      throttle,
      checks: { countChecks: settings.countChecks, countInterval: settings.countInterval },
      speed: ctx.clock.speed,
    });
  } catch (err) {
    await ctx.log(`no estimate from the copy of ${index.name}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * After the estimate: how many indices are left. The card's ETA carries the time, corrected by each finished
 * index; a copy-only figure here once promised "1.7 s" for a quarter of an hour.
 */
function remainingText(state: Readonly<Record<string, unknown>>, indices: PlannedIndex[], current: string): string {
  const later = indices.slice(indices.findIndex((i) => i.name === current) + 1).filter((i) => !progressOf(state, i.name).copyMs);
  if (later.length === 0) return '';
  return `${plural(later.length, 'more index', 'more indices')} to go.`;
}
