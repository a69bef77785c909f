import type { Step } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { roomToDrain } from '../drain-room';
import { excludeList, patchProgress, progressOf, savedAllocationOf, type Ctx } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';
import { plural } from '../../../src/slack/blocks/text';

/** Polls without any relocation and without progress before the drain counts as stuck. */
const STUCK_POLLS = 5;

/**
 * Moves every shard off a data node before its instance goes, so no shard is ever down to a single copy.
 * When the other nodes have no room — or the shards cannot move (in a mixed cluster a replica may not go to
 * a node older than its primary's) — falls back to Elastic's restart procedure.
 */
export function drainStep(node: PlannedNode): Step<UpgradeArgs, UpgradeDeps> {
  return {
    name: `${node.name}/drain`,
    label: `Move the shards off ${node.name}`,
    async run(ctx: Ctx) {
      const { es } = ctx.deps;
      const settings = await es.allocationSettings();
      // Saved before the first change and never overwritten: after a crash, the live value is already ours.
      if (!savedAllocationOf(ctx)) await ctx.setState({ savedAllocation: { excludeName: settings.excludeName, enable: settings.enable } });
      const saved = savedAllocationOf(ctx)!;
      let p = progressOf(ctx, node.name);
      if (!p.drainMode) {
        const [nodes, shards, disks] = await Promise.all([es.nodes(), es.shards(), es.disks()]);
        const room = roomToDrain(node, nodes, shards, disks, settings.maxShardsPerNode, excludeList(saved.excludeName));
        p = await patchProgress(ctx, node.name, room.ok ? { drainMode: 'move-shards' } : { drainMode: 'restart', drainReason: `the other data nodes lack the room: ${room.reason}` });
      }
      const wanted = [...new Set([...excludeList(saved.excludeName), node.name])].join(',');
      if (p.drainMode === 'move-shards') {
        if (settings.excludeName !== wanted) await es.setAllocation({ excludeName: wanted });
        const left = await waitForEmpty(ctx, node);
        if (left === 0) return { done: `${plural(node.shards, 'shard')} moved to the other data nodes; ${node.name} holds none`, figures: { shards: String(node.shards) } };
        p = await patchProgress(ctx, node.name, {
          drainMode: 'restart',
          drainReason: `${plural(left, 'shard')} could not move off it (no other node may take them — in a mixed-version cluster a replica cannot go to a node older than its primary's)`,
        });
      }
      await ctx.say(
        `⚠️ Not moving every shard off \`${node.name}\`: ${p.drainReason}. Falling back to Elastic's rolling-restart procedure: replica allocation off (\`cluster.routing.allocation.enable: primaries\`) and a flush; \`${node.name}\` stays excluded from allocation so no new shard (the next hourly index, say) lands on it. The other copies of its shards keep serving; the predicates still refuse to terminate it while it holds the only copy of anything. Replicas of new indices stay unassigned until the replacement joins: expected, and the predicates know it is this job's doing.`,
      );
      // One write: a replica must not start moving in between the two settings.
      const patch: { excludeName?: string; enable?: string } = {};
      if (settings.excludeName !== wanted) patch.excludeName = wanted;
      if (settings.enable !== 'primaries') patch.enable = 'primaries';
      if (Object.keys(patch).length) await es.setAllocation(patch);
      await es.flush();
      return { done: `replica allocation set to primaries and the cluster flushed (${p.drainReason})` };
    },
  };
}

/** Returns 0 once the node is empty, or the shards left when the drain is stuck. Throws on drainTimeout. */
async function waitForEmpty(ctx: Ctx, node: PlannedNode): Promise<number> {
  const { es, settings } = ctx.deps;
  const deadline = ctx.clock.now() + settings.drainTimeout;
  let last = -1;
  let still = 0;
  for (;;) {
    const shards = await es.shards();
    const left = shards.filter((s) => s.node === node.name).length;
    if (left === 0) return 0;
    // Only relocations off this node are progress; the rest of the cluster may churn all day.
    const moving = shards.some((s) => s.node === node.name && s.state === 'RELOCATING');
    still = !moving && left === last ? still + 1 : 0;
    if (still >= STUCK_POLLS) return left;
    if (left !== last) await ctx.progress(`${node.name}: ${plural(left, 'shard')} still to move`);
    last = left;
    if (ctx.clock.now() >= deadline) {
      throw new Error(`${node.name} still holds ${plural(left, 'shard')} after ${Math.round(settings.drainTimeout / 60_000)} min of draining; the allocation exclusion is being removed. Check \`GET _cluster/allocation/explain\` for one of them, then run the upgrade again`);
    }
    // When only this node's shards are moving, a long poll returns the moment they are done; otherwise poll.
    const othersMoving = shards.some((s) => s.node !== node.name && s.state === 'RELOCATING');
    if (moving && !othersMoving) await es.health({ noRelocating: true, timeoutMs: Math.min(settings.pollTimeout, deadline - ctx.clock.now()) });
    else await ctx.clock.sleep(settings.pollInterval, ctx.signal);
  }
}
