import { n } from './format';
import { progressOf } from './state';
import { greenness } from './green-copy';
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

/** Clock ms the predicate long-polls for green, so a recovery ending this moment passes without a second round. */
const GREEN_POLL_MS = 5_000;

/**
 * Right before a copy of the data is deleted: the copy that will remain is green with the source's replica
 * count (every primary and replica started, from the shard table) and still reads what was verified. Counts
 * alone are not enough: a clone answers counts from its primaries while its replicas are still recovering,
 * and a node lost in that window takes the only copy with it.
 */
export function remainingCopyGreenAndVerified(index: PlannedIndex, remains: 'temp' | 'rebuilt'): P {
  return {
    name: 'remaining_copy_green_and_verified',
    async check(ctx) {
      const p = progressOf(ctx.state, index.name);
      const name = remains === 'temp' ? index.temp : index.name;
      const verified = remains === 'temp' ? p.copyVerified : p.restoreVerified !== undefined && p.restoreVerified === p.copyVerified ? p.restoreVerified : undefined;
      if (verified === undefined) return { ok: false, reason: `${name} was never verified against ${remains === 'temp' ? index.name : index.temp}` };
      if (!p.saved) return { ok: false, reason: `the settings of ${index.name} were not recorded, so the replicas ${name} needs are unknown` };
      const g = await greenness(ctx, name, { shards: p.saved.shards, replicas: p.saved.replicas }, GREEN_POLL_MS);
      if (!g.ok) return { ok: false, reason: `${g.reason}; it would be the only copy left` };
      const { d } = await readPair(ctx, name, { count: verified });
      if (d.some((x) => !x.allShards || x.count !== verified)) {
        return { ok: false, reason: `${name} reads ${d.map((x) => `${n(x.count)} (${x.shards})`).join(', ')}, verified ${n(verified)}` };
      }
      return { ok: true };
    },
  };
}
