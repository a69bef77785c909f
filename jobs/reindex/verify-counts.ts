import { n, took } from './format';
import type { CountRead } from './port';
import type { ReindexCtx } from './types';

export type Verdict =
  | { ok: true; count: number; reads: number }
  /** `short`: the copy steadily holds fewer documents than the reference, on full reads that agree with each other. */
  | { ok: false; reason: string; short?: { holds: number; of: number } };

/** Four sequential reads, copy-reference-reference-copy: behind a load balancer each side is read by different copies. */
export async function readPair(ctx: ReindexCtx, dest: string, against: { index: string } | { count: number }) {
  const { es } = ctx.deps;
  const reference = (): Promise<CountRead> =>
    'index' in against ? es.count(against.index) : Promise.resolve({ count: against.count, allShards: true, shards: 'recorded' });
  const d1 = await es.count(dest);
  const r1 = await reference();
  const r2 = await reference();
  const d2 = await es.count(dest);
  return { d: [d1, d2], r: [r1, r2] };
}

/**
 * A copy counts as verified only when `countChecks` consecutive rounds, `countInterval` apart, all with every
 * shard answering, agree with the reference — and each round reads both sides twice. One read through a load
 * balancer can be stale or partial; that is how the first version of this job lost documents.
 */
export async function verifyCounts(ctx: ReindexCtx, dest: string, against: { index: string } | { count: number }): Promise<Verdict> {
  const { es, settings } = ctx.deps;
  const deadline = ctx.clock.now() + settings.verifyTimeout;
  const refName = 'index' in against ? against.index : 'the verified copy';
  await es.refresh(dest);
  let streak = 0;
  let agreed = -1;
  let rounds = 0;
  let last = '';
  let mismatch = { key: '', streak: 0 };
  for (;;) {
    const { d, r } = await readPair(ctx, dest, against);
    rounds++;
    const full = [...d, ...r].every((x) => x.allShards);
    const counts = new Set([...d, ...r].map((x) => x.count));
    if (full && counts.size === 1 && (streak === 0 || d[0].count === agreed)) {
      streak++;
      agreed = d[0].count;
    } else {
      streak = 0;
      // The same shortfall on every full read is not staleness: the copy missed documents.
      const steady = full && d[0].count === d[1].count && r[0].count === r[1].count && d[0].count < r[0].count;
      const key = steady ? `${d[0].count}/${r[0].count}` : '';
      mismatch = { key, streak: key && key === mismatch.key ? mismatch.streak + 1 : key ? 1 : 0 };
      const bad = [...d, ...r].find((x) => !x.allShards);
      last = bad ? bad.shards : `${dest} read ${d.map((x) => n(x.count)).join(' and ')}, ${refName} ${r.map((x) => n(x.count)).join(' and ')}`;
      // A lagging refresh is the usual cause; asking again is harmless.
      await es.refresh(dest);
    }
    if (streak >= settings.countChecks) return { ok: true, count: agreed, reads: rounds * 4 };
    if (mismatch.streak >= settings.countChecks + 1) {
      return { ok: false, reason: last, short: { holds: d[0].count, of: r[0].count } };
    }
    if (ctx.clock.now() >= deadline) {
      return {
        ok: false,
        reason: `counts did not agree on ${settings.countChecks} consecutive rounds within ${took(settings.verifyTimeout)} (last: ${last})`,
      };
    }
    await ctx.clock.sleep(settings.countInterval, ctx.signal);
  }
}
