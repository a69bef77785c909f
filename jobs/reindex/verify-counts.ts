import { n, took } from './format';
import type { CountRead } from './port';
import type { ReindexCtx } from './types';

export type Verdict = { ok: true; count: number; reads: number } | { ok: false; reason: string };

/**
 * A copy counts as verified only when `countChecks` consecutive reads, `countInterval` apart, all with every
 * shard answering, agree with the reference. One read through a load balancer can be stale or partial; that
 * is how the first version of this job lost documents.
 */
export async function verifyCounts(
  ctx: ReindexCtx,
  dest: string,
  against: { index: string } | { count: number },
): Promise<Verdict> {
  const { es, settings } = ctx.deps;
  const deadline = ctx.clock.now() + settings.verifyTimeout;
  const reference = (): Promise<CountRead> =>
    'index' in against ? es.count(against.index) : Promise.resolve({ count: against.count, allShards: true, shards: 'recorded' });
  const refName = 'index' in against ? against.index : 'the verified copy';
  await es.refresh(dest);
  let streak = 0;
  let agreed = -1;
  let reads = 0;
  let last = '';
  for (;;) {
    const [d, r] = await Promise.all([es.count(dest), reference()]);
    reads++;
    if (d.allShards && r.allShards && d.count === r.count && (streak === 0 || d.count === agreed)) {
      streak++;
      agreed = d.count;
    } else {
      streak = 0;
      last = !d.allShards
        ? `${dest}: ${d.shards}`
        : !r.allShards
          ? `${refName}: ${r.shards}`
          : `${dest} holds ${n(d.count)}, ${refName} ${n(r.count)}`;
      // A lagging refresh is the usual cause; asking again is harmless.
      await es.refresh(dest);
    }
    if (streak >= settings.countChecks) return { ok: true, count: agreed, reads };
    if (ctx.clock.now() >= deadline) {
      return {
        ok: false,
        reason: `counts did not agree on ${settings.countChecks} consecutive reads within ${took(settings.verifyTimeout)} (last: ${last})`,
      };
    }
    await ctx.clock.sleep(settings.countInterval, ctx.signal);
  }
}
