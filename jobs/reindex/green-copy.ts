import { n } from './format';
import type { ShardCopyRow } from './port';
import type { ReindexCtx } from './types';
import { readPair } from './verify-counts';

export type Greenness =
  | { ok: true; copies: number; rounds?: number }
  /** `started`: shard copies that hold the data now, so a caller can tell a slow recovery from a stuck one. */
  | { ok: false; reason: string; started: number; total: number; short?: boolean };

export interface WantedCopies {
  shards: number;
  /** The source's replica count: fewer on the copy that remains means fewer copies than the team relied on. */
  replicas: number;
}

// A relocating copy still holds every document on its old node until the move completes.
const holdsData = (r: ShardCopyRow) => r.state === 'STARTED' || r.state === 'RELOCATING';

/**
 * Whether `name` may be the only copy of the data: index health green (long-polled for `pollMs` of clock
 * time), then the shard table confirms every primary and every one of the source's replicas started. The
 * colour alone is not enough: an index whose replica count was lowered is green with fewer copies.
 */
export async function greenness(ctx: ReindexCtx, name: string, want: WantedCopies, pollMs = 0): Promise<Greenness> {
  const { es } = ctx.deps;
  const total = want.shards * (want.replicas + 1);
  const rows = await es.shardCopies(name);
  if (rows.length === 0) return { ok: false, reason: `${name} does not exist`, started: 0, total, short: false };
  const { replicas } = await es.settingsOf(name);
  if (replicas < want.replicas) {
    return {
      ok: false,
      reason: `${name} has ${replicas} replica(s), the source had ${want.replicas}: set index.number_of_replicas to ${want.replicas} on ${name} and wait for green`,
      started: 0,
      total,
      short: true,
    };
  }
  // Long poll first, then the shard table as it stands after it: the table is what the verdict rests on.
  const health = await es.waitForGreen(name, pollMs);
  rows.splice(0, rows.length, ...(await es.shardCopies(name)));
  const missing: string[] = [];
  let started = 0;
  for (let shard = 0; shard < want.shards; shard++) {
    const copies = rows.filter((r) => r.shard === shard);
    const primary = copies.find((r) => r.primary);
    if (primary && holdsData(primary)) started++;
    else missing.push(`shard ${shard} primary ${describe(primary)}`);
    const replicaRows = copies.filter((r) => !r.primary);
    started += Math.min(replicaRows.filter(holdsData).length, want.replicas);
    for (const r of replicaRows.filter((c) => !holdsData(c))) missing.push(`shard ${shard} replica ${describe(r)}`);
    if (replicaRows.length < want.replicas) missing.push(`shard ${shard} lists ${replicaRows.length} of ${want.replicas} replica(s)`);
  }
  if (missing.length === 0 && health === 'green') return { ok: true, copies: started };
  const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? `, and ${missing.length - 3} more` : '');
  return {
    ok: false,
    reason: `${name} is ${health ?? 'unknown'}, ${started} of ${total} shard copies started${shown ? ` (${shown})` : ''}`,
    started,
    total,
  };
}

function describe(r: ShardCopyRow | undefined): string {
  if (!r) return 'missing from the shard table';
  if (r.state === 'UNASSIGNED') return `UNASSIGNED${r.unassignedReason ? ` (${r.unassignedReason})` : ''}`;
  return `${r.state}${r.node ? ` on ${r.node}` : ''}`;
}

/**
 * Long-polls until `name` is green with the source's replica count, raising the count first if it is short.
 * Gives up after `verifyTimeout` without a shard copy starting, not after a fixed time: the replicas of a
 * large index take as long as they take, and a delete must not be attempted before they are done.
 */
export async function waitUntilGreen(ctx: ReindexCtx, name: string, want: WantedCopies): Promise<Greenness> {
  const { es, settings } = ctx.deps;
  let deadline = ctx.clock.now() + settings.verifyTimeout;
  let best = -1;
  for (let round = 1; ; round++) {
    ctx.signal.throwIfAborted();
    const asked = ctx.clock.now();
    const left = Math.max(0, deadline - asked);
    // The first look does not wait: an index that is green already costs no long poll.
    const g = await greenness(ctx, name, want, round === 1 ? 0 : Math.min(left, settings.taskPollTimeout));
    if (g.ok) return { ...g, rounds: round };
    if (g.short && round === 1) {
      await es.setReplicas(name, want.replicas);
      continue;
    }
    const now = ctx.clock.now();
    if (g.started > best) {
      if (best >= 0) deadline = now + settings.verifyTimeout;
      best = g.started;
    }
    if (now >= deadline) return g;
    await ctx.progress(`waiting for ${name} to be green before anything is deleted: ${g.reason}`);
    // A server that answers the long poll at once (index missing, or green with a replica short) is not hammered.
    if (now - asked < 200) await ctx.clock.sleep(1000, ctx.signal);
  }
}

/**
 * The rule for a delete outside the gated steps (cleanup): what remains must be green and read, with every
 * shard answering, the documents it is known to hold. Returns why not, or undefined when the delete is safe.
 */
export async function remainingCopyProblem(ctx: ReindexCtx, name: string, want: WantedCopies, expected?: number): Promise<string | undefined> {
  const g = await greenness(ctx, name, want, ctx.deps.settings.taskPollTimeout);
  if (!g.ok) return g.reason;
  const { d } = await readPair(ctx, name, { count: expected ?? -1 });
  const partial = d.find((x) => !x.allShards);
  if (partial) return `${name} answers counts from only part of its shards: ${partial.shards}`;
  if (expected !== undefined && d.some((x) => x.count !== expected)) return `${name} reads ${d.map((x) => n(x.count)).join('/')}, verified ${n(expected)}`;
  return undefined;
}
