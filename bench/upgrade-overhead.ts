/**
 * Overhead of the rolling upgrade against the waits the cluster itself imposes (drain, boot + join,
 * recovery, rebalancing before a gate opens), and the simulated-time acceleration of a full run.
 * Run: npx tsx bench/upgrade-overhead.ts [speed-for-overhead=25] [speed-for-acceleration=300]
 * Every real millisecond the job spends on HTTP counts `speed` clock milliseconds, so the ratio is measured at
 * a modest speed (~70 s wall); the acceleration run shows what the same run costs at a high one.
 */
import { formatDuration } from '../src/config/duration';
import { estateDeps } from '../sim/seed/upgrade-deps';
import { runUpgrade } from './upgrade-drive';
import { seedEstate } from '../sim/seed/upgrade-seed';
import { measureWaits, watchTruth } from './upgrade-timeline';

async function run(speed: number) {
  const seeded = await seedEstate({ speed });
  const truth = watchTruth(seeded.estate);
  const wall0 = Date.now();
  try {
    const r = await runUpgrade({ deps: estateDeps(seeded.estate), clock: seeded.estate.clock });
    const wallMs = Date.now() - wall0;
    if (r.outcome !== 'completed') throw new Error(`upgrade ${r.outcome}: ${r.detail}`);
    const waits = measureWaits(r.data, truth.events);
    const totalMs = r.data.records.at(-1)!.finishedAt - r.data.records[0].startedAt;
    const imposedMs = waits.reduce((s, w) => s + w.imposedMs, 0);
    const obs = seeded.estate.es.cluster.observations;
    return { speed, wallMs, totalMs, imposedMs, waits, obs, steps: r.data.records };
  } finally {
    truth.stop();
    seeded.series.stop();
    await seeded.estate.close();
  }
}

const [overheadSpeed, fastSpeed] = [Number(process.argv[2] ?? 25), Number(process.argv[3] ?? 300)];
const o = await run(overheadSpeed);
const byKind = (kind: string) => o.waits.filter((w) => w.wait === kind).reduce((s, w) => s + w.imposedMs, 0);
console.log(`upgrade overhead (3 masters + 6 data, 7.17.25 → 8.15.0, ~12 GB, documents arriving; speed ${o.speed}×)`);
console.log(`  total run            ${formatDuration(o.totalMs)} clock`);
console.log(`  cluster-imposed      ${formatDuration(o.imposedMs)} = drain ${formatDuration(byKind('drain'))} + gates ${formatDuration(byKind('gate'))} + leave ${formatDuration(byKind('leave'))} + boot/join ${formatDuration(byKind('join'))} + recovery ${formatDuration(byKind('green'))}`);
const latency = (kind: string) => formatDuration(o.waits.filter((w) => w.wait === kind).reduce((s, w) => s + w.latencyMs, 0));
const own = ['plan', 'restore', 'report'].map((k) => `${k} ${formatDuration(o.steps.filter((r) => r.step === k || r.step.endsWith(`/${k}`)).reduce((s, r) => s + r.finishedAt - r.startedAt, 0))}`);
console.log(`  the job's own time   detection: drain ${latency('drain')}, gates ${latency('gate')}, leave ${latency('leave')}, join ${latency('join')}, green ${latency('green')}; steps: ${own.join(', ')}`);
console.log(`  overhead ratio       ${(o.totalMs / o.imposedMs).toFixed(3)} (goal ≤ 1.05)`);
console.log(`  observations         everRed=${o.obs.everRed} maxNodesOut=${o.obs.maxNodesOut} lostDocs=${o.obs.lostDocs}`);

const f = await run(fastSpeed);
console.log(`acceleration: full rolling upgrade, ${formatDuration(f.totalMs)} of clock time in ${(f.wallMs / 1000).toFixed(1)} s wall (factor ${Math.round(f.totalMs / f.wallMs)}×, speed ${f.speed}×; goal < 30 s), overhead ratio ${(f.totalMs / f.imposedMs).toFixed(3)}, everRed=${f.obs.everRed} maxNodesOut=${f.obs.maxNodesOut} lostDocs=${f.obs.lostDocs}`);
process.exit(0);
