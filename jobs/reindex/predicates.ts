import { n } from './format';
import { progressOf } from './state';
import { readPair } from './verify-counts';
import type { PlannedIndex, ReindexArgs, ReindexDeps } from './types';
import type { Predicate } from '../../src/runner/types';

type P = Predicate<ReindexArgs, ReindexDeps>;

/** Right before the source is deleted: the copy still holds what was verified, and the source has not changed. */
export function copyMatchesSource(index: PlannedIndex): P {
  return {
    name: 'copy_matches_source',
    async check(ctx) {
      const { es } = ctx.deps;
      const verified = progressOf(ctx.state, index.name).copyVerified;
      if (verified === undefined) return { ok: false, reason: `${index.temp} was never verified` };
      // On a resume the runner checks predicates before asking alreadyDone: the source may be gone by our hand.
      if (!(await es.exists(index.name))) {
        const { d } = await readPair(ctx, index.temp, { count: verified });
        return d.every((x) => x.allShards && x.count === verified)
          ? { ok: true }
          : { ok: false, reason: `${index.name} is gone and ${index.temp} reads ${d.map((x) => n(x.count)).join('/')}, verified ${n(verified)}` };
      }
      if (!(await es.settingsOf(index.name)).blocksWrite) return { ok: false, reason: `the write block on ${index.name} was lifted by someone` };
      const { d, r } = await readPair(ctx, index.temp, { index: index.name });
      const bad = [...d, ...r].find((x) => !x.allShards);
      if (bad) return { ok: false, reason: `not all shards answered: ${bad.shards}` };
      if ([...d, ...r].some((x) => x.count !== verified)) {
        return { ok: false, reason: `${index.name} reads ${r.map((x) => n(x.count)).join('/')}, ${index.temp} ${d.map((x) => n(x.count)).join('/')}, verified ${n(verified)}` };
      }
      return { ok: true };
    },
  };
}

/** Once the source is gone the copy is the only one: every shard copy of it must be allocated. */
export function indexGreen(name: string): P {
  return {
    name: 'copy_green',
    async check(ctx) {
      const health = await ctx.deps.es.health(name);
      return health === 'green' ? { ok: true } : { ok: false, reason: `${name} is ${health ?? 'missing'}` };
    },
  };
}

/** The temporary index goes only when the original name holds every document again. */
export function restoredMatches(index: PlannedIndex): P {
  return {
    name: 'original_verified',
    async check(ctx) {
      const p = progressOf(ctx.state, index.name);
      if (p.restoreVerified === undefined || p.restoreVerified !== p.copyVerified) {
        return { ok: false, reason: `${index.name} was not verified against ${index.temp}` };
      }
      const { d } = await readPair(ctx, index.name, { count: p.restoreVerified });
      if (d.some((x) => !x.allShards || x.count !== p.restoreVerified)) {
        return { ok: false, reason: `${index.name} reads ${d.map((x) => `${n(x.count)} (${x.shards})`).join(', ')}, verified ${n(p.restoreVerified)}` };
      }
      return { ok: true };
    },
  };
}
