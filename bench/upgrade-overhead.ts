/**
 * elk-ops' rolling upgrade against an independent denominator: the same replacement done by a straight-through
 * script that follows Elastic's documented procedure (bench/reference-upgrade.ts), on estates built from the
 * same parameters, in the same run, alternating (reference, elk-ops, reference, elk-ops) so that load on the
 * machine hits both alike. elk-ops runs as a team meets it: through the Slack emulator with production pacing
 * (1 post per second per channel), BullMQ on a real Redis, a worker process, approvals clicked the moment they
 * appear. Times are the cluster's clock.
 * Run: npx tsx bench/upgrade-overhead.ts [speed=60] [pairs=2]
 * bench-timeout: 330s
 */
import { formatDuration } from '../src/config/duration';
import { startRedis } from '../sim/sandbox/redis-server';
import { seedWatchedEstate, type WatchedEstate } from '../sim/seed/watched-upgrade-seed';
import { referenceUpgrade } from './reference-upgrade';
import { runThroughSlack } from './run-through-slack';

const speed = Number(process.argv[2] ?? 60);
const pairs = Number(process.argv[3] ?? 2);
const redis = await startRedis();
process.env.REDIS_URL = redis.url;

interface Run {
  who: 'reference' | 'elk-ops';
  clockMs: number;
  wallMs: number;
  obs: string;
  extra?: string;
}

/** The watcher's figures (public Elasticsearch and AWS APIs only), with the denominator of the documents figure. */
async function observed(s: WatchedEstate): Promise<string> {
  const w = await s.finish();
  const r = w.report;
  return `red seen ${r.redSeen ? 'YES' : 'no'}, max nodes out ${r.maxNodesOut} of ${r.expectedNodes}, terminated twice ${r.terminatedTwice.length}, ${w.documentsLine}`;
}

async function once(who: Run['who']): Promise<Run> {
  const seeded = await seedWatchedEstate({ speed });
  await seeded.start();
  const wall0 = Date.now();
  try {
    if (who === 'reference') {
      const r = await referenceUpgrade(seeded.estate);
      const phases = Object.entries(r.phases).map(([k, v]) => `${k} ${formatDuration(v)}`).join(', ');
      const wallMs = Date.now() - wall0;
      return { who, clockMs: r.clockMs, wallMs, obs: await observed(seeded), extra: phases };
    }
    const r = await runThroughSlack('upgrade prod', {
      estate: seeded.estate,
      config: { slack: { pace: { perSecond: 1, burst: 3 } }, worker: { predicateWait: '60m' } },
    });
    await r.harness.close();
    if (r.outcome !== 'completed') throw new Error(`elk-ops upgrade ended ${r.outcome}`);
    const sum = (suffixes: string[]) => r.records.filter((x) => suffixes.some((sfx) => x.step.endsWith(sfx))).reduce((t, x) => t + x.finishedAt - x.startedAt, 0);
    const PHASES = ['/drain', '/withdraw-vote', '/terminate', '/await-leave', '/await-replacement', '/restore', '/await-green'];
    // What the reference has no counterpart for: steps outside the phases, and the gaps between steps.
    const others = r.records.filter((x) => !PHASES.some((sfx) => x.step.endsWith(sfx))).reduce((t, x) => t + x.finishedAt - x.startedAt, 0);
    const gaps = r.records.slice(1).reduce((t, x, i) => t + Math.max(0, x.startedAt - r.records[i].finishedAt), 0);
    const phases = `drain ${formatDuration(sum(['/drain', '/withdraw-vote']))}, terminate ${formatDuration(sum(['/terminate']))}, leave ${formatDuration(sum(['/await-leave']))}, join ${formatDuration(sum(['/await-replacement']))}, settle ${formatDuration(sum(['/restore', '/await-green']))}; other steps ${formatDuration(others)}, between steps ${formatDuration(gaps)} (${r.records.length} steps)`;
    return { who, clockMs: r.clockMs, wallMs: r.wallMs, obs: await observed(seeded), extra: `${phases} · ${r.approvals} approvals clicked, ${r.overridesAsked.length} overrides asked` };
  } finally {
    await seeded.close();
  }
}

const runs: Run[] = [];
try {
  for (let i = 0; i < pairs; i++) for (const who of ['reference', 'elk-ops'] as const) runs.push(await once(who));
} finally {
  await redis.stop();
}
console.log(`rolling upgrade, 3 masters + 6 data, 7.17.25 → 8.15.0, ~12 GB, documents arriving; clock speed ${speed}×`);
for (const r of runs) console.log(`  ${r.who.padEnd(9)} ${formatDuration(r.clockMs).padStart(8)} clock (${(r.wallMs / 1000).toFixed(1)} s wall) · ${r.obs}${r.extra ? ` · ${r.extra}` : ''}`);
const mean = (who: Run['who']) => runs.filter((r) => r.who === who).reduce((s, r) => s + r.clockMs, 0) / pairs;
console.log(`  ratio elk-ops / reference (mean of ${pairs} each): ${(mean('elk-ops') / mean('reference')).toFixed(3)} (goal ≤ 1.05)`);
process.exit(0);
