import { formatDuration } from '../../../src/config/duration';
import type { Step, StepOutcome } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { patchProgress, progressOf, timeouts, type Ctx } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { classifyUnassigned } from '../unassigned';
import { plural } from '../../../src/slack/blocks/text';

/**
 * Waits for yellow, then green. In a mixed-version cluster green may never come (a replica cannot go to a
 * node older than its primary's); when that is the only thing missing, it says so and moves on.
 */
export function awaitGreenStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: `${node.name}/await-green`,
    label: `Wait for the cluster to recover after ${node.name}`,
    async run(ctx: Ctx): Promise<StepOutcome> {
      const { es, settings } = ctx.deps;
      let wait = progressOf(ctx, node.name).greenWait;
      if (!wait) wait = (await patchProgress(ctx, node.name, { greenWait: { deadline: ctx.clock.now() + timeouts(ctx).green, round: 1 } })).greenWait!;
      // Check first, then wait: a resumed step often finds the cluster green already.
      const now = await es.health();
      if (now.status === 'green') {
        await patchProgress(ctx, node.name, { greenAt: ctx.clock.now() });
        return { done: 'cluster green', figures: { nodes: String(now.nodes) } };
      }
      let reachedYellow = now.status === 'yellow';
      for (;;) {
        const remaining = Math.max(0, wait.deadline - ctx.clock.now());
        const h = await es.health({ status: reachedYellow ? 'green' : 'yellow', timeoutMs: Math.min(settings.pollTimeout, remaining) });
        if (h.status === 'green') {
          await patchProgress(ctx, node.name, { greenAt: ctx.clock.now() });
          return { done: 'cluster green', figures: { nodes: String(h.nodes) } };
        }
        if (h.status === 'yellow' && !reachedYellow) {
          reachedYellow = true;
          continue;
        }
        if (ctx.clock.now() < wait.deadline) {
          // A long poll that returns early without the status asked for must not spin.
          if (!h.timedOut) await ctx.clock.sleep(settings.pollInterval, ctx.signal);
          await ctx.progress(`cluster ${h.status}: ${h.initializing} initializing, ${h.relocating} relocating, ${h.unassigned} unassigned`);
          continue;
        }
        if (h.status === 'yellow' && h.initializing === 0 && h.relocating === 0) {
          const v = await classifyUnassigned(es);
          if (v.onlyVersionReplicas) {
            const note = `green did not come within ${formatDuration(timeouts(ctx).green)}, but the only unassigned shards are ${plural(v.unassigned, 'replica')} that cannot go to older-version nodes (node_version decider, e.g. ${v.versionHeld.slice(0, 3).join(', ')}) — normal mid-upgrade; they are assigned once more nodes run the new version`;
            await ctx.say(`ℹ️ ${note}`);
            await patchProgress(ctx, node.name, { greenAt: ctx.clock.now(), greenNote: note });
            return { done: `cluster yellow, only version-held replicas unassigned (${v.unassigned})` };
          }
        }
        const decision = await askAboutGreen(ctx, node, wait.round, h.status);
        if (decision === 'continue') {
          await patchProgress(ctx, node.name, { greenAt: ctx.clock.now(), greenNote: 'continued without green by an approver' });
          return { done: `continued while ${h.status} — approved` };
        }
        if (decision === 'abort') return { stop: `the cluster did not recover after replacing ${node.name} and the wait was aborted; no further node was touched`, reason: 'failed' };
        wait = (await patchProgress(ctx, node.name, { greenWait: { deadline: ctx.clock.now() + timeouts(ctx).green, round: wait.round + 1 } })).greenWait!;
      }
    },
  };
}

/** Keep waiting / Continue / Abort as two yes-no questions; silence means abort, the safe default. */
async function askAboutGreen(ctx: Ctx, node: PlannedNode, round: number, status: string): Promise<'wait' | 'continue' | 'abort'> {
  const v = await classifyUnassigned(ctx.deps.es, { limit: 8 });
  const h = await ctx.deps.es.health();
  const shards = v.others.length ? v.others.map((l) => `• ${l}`).join('\n') : '(none unassigned)';
  const green = formatDuration(timeouts(ctx).green);
  const keep = await ctx.decide(`green-${round}`, {
    action: `cluster still ${status} ${green} after replacing ${node.name} (${h.initializing} initializing, ${h.relocating} relocating, ${h.unassigned} unassigned). Keep waiting another ${green}?`,
    details: { 'Unassigned shards': shards.slice(0, 1500) },
    approveLabel: 'Keep waiting',
    rejectLabel: 'Stop waiting…',
  });
  if (keep.approved) return 'wait';
  if (keep.by === 'timeout') return 'abort';
  const go = await ctx.decide(`green-${round}-continue`, {
    action: `continue with the next node while the cluster is ${status}? Only if you know why these shards are unassigned.`,
    details: { 'Unassigned shards': shards.slice(0, 1500) },
    approveLabel: 'Continue (audited)',
    rejectLabel: 'Abort',
  });
  return go.approved ? 'continue' : 'abort';
}
