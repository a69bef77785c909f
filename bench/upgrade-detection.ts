/**
 * Detection latency: how long after the cluster reaches a condition the job notices it, for each wait of the
 * upgrade (drain done, old node gone, replacement joined, green, the safety gate), through the bot (Slack
 * emulator, BullMQ, a worker process, approvals clicked at once). The denominator is the moment the condition
 * became true, taken from the simulator's own state changes (bench/upgrade-timeline.ts); the numerator is the
 * step's recorded end.
 * Run: npx tsx bench/upgrade-detection.ts [speed=20]
 * At speed S every real millisecond of HTTP counts S clock milliseconds; the real-time figure is shown too.
 * bench-timeout: 240s
 */
import { startRedis } from '../sim/sandbox/redis-server';
import { seedWatchedEstate, type WatchedOutcome } from '../sim/seed/watched-upgrade-seed';
import type { UpgradeArgs } from '../jobs/upgrade/args';
import type { JobData } from '../src/runner/types';
import { runThroughSlack } from './run-through-slack';
import { measureWaits, percentile, watchTruth, type WaitMeasure } from './upgrade-timeline';

const speed = Number(process.argv[2] ?? 20);
const redis = await startRedis();
process.env.REDIS_URL = redis.url;
const seeded = await seedWatchedEstate({ speed });
// The denominators of the latencies are the simulator's own state changes (the only exact record of when a
// condition became true); whether the upgrade was safe is the watcher's call, from the public APIs.
const truth = watchTruth(seeded.estate);
await seeded.start();
let waits: WaitMeasure[] = [];
let watched: WatchedOutcome | undefined;
try {
  const r = await runThroughSlack('upgrade prod', { estate: seeded.estate, config: { worker: { predicateWait: '60m' } } });
  await r.harness.close();
  if (r.outcome !== 'completed') throw new Error(`upgrade ${r.outcome}`);
  waits = measureWaits(r.data as JobData<UpgradeArgs>, truth.events);
  watched = await seeded.finish();
} finally {
  truth.stop();
  await seeded.close();
  await redis.stop();
}

console.log(`upgrade detection latency (3 masters + 6 data; speed ${speed}×; from the condition holding to the step's end; goal < 1 s)`);
for (const kind of ['drain', 'leave', 'join', 'green', 'gate'] as const) {
  const l = waits.filter((w) => w.wait === kind).map((w) => w.latencyMs);
  if (!l.length) continue;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const note = kind === 'gate' ? '  (approval clicked at once; predicates re-checked every worker.predicatePoll = 1 s, plus the terminate call)' : '';
  console.log(`  ${kind.padEnd(6)} n=${l.length}  median ${fmt(percentile(l, 50))}  max ${fmt(Math.max(...l))} clock  (max ${(Math.max(...l) / speed).toFixed(0)} ms real)${note}`);
}
if (watched) {
  const w = watched.report;
  console.log(`  safety (watcher): red seen ${w.redSeen ? 'YES' : 'no'}, max nodes out ${w.maxNodesOut} of ${w.expectedNodes}, terminated twice ${w.terminatedTwice.length}, ${watched.documentsLine}`);
}
process.exit(0);
