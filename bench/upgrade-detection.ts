/**
 * Detection latency: how long after the cluster reaches the condition a wait notices it, for each wait of the
 * upgrade (drain done, old node gone, replacement joined, green), against the simulator's own state changes.
 * Run: npx tsx bench/upgrade-detection.ts [speed=20]
 * At speed S every real millisecond of HTTP counts S clock milliseconds; the real-time figure is shown too.
 */
import { estateDeps } from '../sim/seed/upgrade-deps';
import { runUpgrade } from './upgrade-drive';
import { seedEstate } from '../sim/seed/upgrade-seed';
import { measureWaits, percentile, watchTruth, type WaitMeasure } from './upgrade-timeline';

const speed = Number(process.argv[2] ?? 20);
const seeded = await seedEstate({ speed });
const truth = watchTruth(seeded.estate);
let waits: WaitMeasure[] = [];
try {
  const r = await runUpgrade({ deps: estateDeps(seeded.estate), clock: seeded.estate.clock, args: { nodes: ['es-data-1', 'es-data-4', 'es-master-2', 'es-master-1'] } });
  if (r.outcome !== 'completed') throw new Error(`upgrade ${r.outcome}: ${r.detail}`);
  waits = measureWaits(r.data, truth.events);
} finally {
  truth.stop();
  seeded.series.stop();
  await seeded.estate.close();
}

console.log(`upgrade detection latency (4 nodes: 2 data, 2 masters incl. the elected one; speed ${speed}×; goal < 1 s after the condition holds)`);
for (const kind of ['drain', 'leave', 'join', 'green', 'gate'] as const) {
  const l = waits.filter((w) => w.wait === kind).map((w) => w.latencyMs);
  if (!l.length) continue;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const note = kind === 'gate' ? '  (runner: predicates re-checked every worker.predicatePoll = 1 s, plus the terminate call)' : '';
  console.log(`  ${kind.padEnd(6)} n=${l.length}  median ${fmt(percentile(l, 50))}  max ${fmt(Math.max(...l))} clock  (max ${(Math.max(...l) / speed).toFixed(0)} ms real)${note}`);
}
process.exit(0);
