import { n } from './format';
import { progressOf } from './state';
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
      const [src, copy, settings] = await Promise.all([es.count(index.name), es.count(index.temp), es.settingsOf(index.name)]);
      if (!settings.blocksWrite) return { ok: false, reason: `the write block on ${index.name} was lifted by someone` };
      if (!src.allShards || !copy.allShards) return { ok: false, reason: `not all shards answered (${index.name}: ${src.shards}; ${index.temp}: ${copy.shards})` };
      if (src.count !== verified || copy.count !== verified) {
        return { ok: false, reason: `${index.name} holds ${n(src.count)}, ${index.temp} ${n(copy.count)}, verified ${n(verified)}` };
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
      const read = await ctx.deps.es.count(index.name);
      if (!read.allShards || read.count !== p.restoreVerified) {
        return { ok: false, reason: `${index.name} reads ${n(read.count)} (${read.shards}), verified ${n(p.restoreVerified)}` };
      }
      return { ok: true };
    },
  };
}
