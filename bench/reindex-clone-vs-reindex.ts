/**
 * Clone path vs double-reindex path for `/elk reindex`, through the bot (Slack emulator, BullMQ, a worker
 * process, approvals clicked at once), over three index sizes, two copy rates and two recovery throttles: the
 * whole table, not one favourable point. Each cell runs the clone path, the double-reindex path and `auto` (the
 * default: the job picks per index from its first copy's time and the recovery throttle) on fresh, identical
 * clusters (1 master + 3 data, 8.15, one index of 2 shards × 1 replica); a run ends only when the rebuilt index is
 * green and the temporary copy is gone. Two figures per run, clock time:
 *   job     the whole job, approvals included (each click costs real time, ×speed in clock time: noisy);
 *   rebuild from the start of restore-name to the rebuilt index green (the part where the paths differ; no approval).
 * The denominator of the clone ratio is the double-reindex run of the same cell; of auto's, the quicker of the two.
 * Run: npx tsx bench/reindex-clone-vs-reindex.ts [speed=100]
 * bench-timeout: 900s
 */
import { Client } from '@elastic/elasticsearch';
import { formatDuration } from '../src/config/duration';
import { startEstate } from '../sim/estate';
import { startRedis } from '../sim/sandbox/redis-server';
import { watchEstate } from '../sim/watcher/for-estate';
import { runThroughSlack } from './run-through-slack';

const speed = Number(process.argv[2] ?? 100);
const SIZES = [5_000, 20_000, 80_000];
/** Documents per second a `_reindex` copies: a slow, throttled cluster and the simulator's default. */
const RATES = [500, 5_000];
/** indices.recovery.max_bytes_per_sec: Elasticsearch's default, and a cluster throttled to 2 MB/s. */
const THROTTLES = ['40mb', '2mb'];
const redis = await startRedis();
process.env.REDIS_URL = redis.url;

async function runPath(via: 'clone' | 'reindex' | 'auto', docs: number, rate: number, throttle: string) {
  const estate = await startEstate({ masters: 1, data: 3, version: '8.15.0', speed, esKnobs: { reindexDocsPerSec: rate } });
  const client = new Client({ node: estate.es.url });
  try {
    await client.cluster.putSettings({ persistent: { 'indices.recovery.max_bytes_per_sec': throttle } });
    await client.indices.putIndexTemplate({ name: 'logs', index_patterns: ['logs-*'], priority: 1, template: { mappings: { properties: { host: { type: 'keyword' } } } } });
    estate.es.cluster.createIndex('logs-2026.11.01', { shards: 2, replicas: 1, docs, bytesPerDoc: 2048 });
    // The newest index of a series is where documents go: the plan refuses it, so the bench rebuilds the older one.
    estate.es.cluster.createIndex('logs-2026.11.02', { shards: 2, replicas: 1, docs: 10, bytesPerDoc: 2048 });
    // The watcher grades the run from outside: the index as counted through the official client before the job
    // is the denominator of "documents missing", and health is watched throughout (red seen or not).
    const watcher = watchEstate(estate, { expectedNodes: 4, pollMs: Math.max(100, estate.clock.toReal(2_000)), awsPollMs: Math.max(500, estate.clock.toReal(20_000)) });
    const before = await watcher.baseline('logs-2026.11.01');
    await watcher.start();
    const r = await runThroughSlack('reindex prod logs-2026.11.01', {
      estate,
      clusterConfig: { reindex: { restoreVia: via } },
      config: { slack: { pace: { perSecond: 1, burst: 3 } } },
    });
    await r.harness.close();
    if (r.outcome !== 'completed') throw new Error(`${via} path ended ${r.outcome}`);
    const [audit] = await watcher.auditDocuments(before);
    await watcher.close();
    const health = await client.cluster.health({ index: 'logs-2026.11.01' });
    const missing = `${audit.missing.toLocaleString('en-US')} of ${audit.expected.toLocaleString('en-US')}${audit.problem ? ` (${audit.problem})` : ''}`;
    const at = (step: string, end: 'startedAt' | 'finishedAt') => r.records.find((x) => x.step === `logs-2026.11.01/${step}`)?.[end] ?? NaN;
    const rebuildMs = at('restore-settings', 'finishedAt') - at('restore-name', 'startedAt');
    const picked = r.data.records.find((x) => x.step === 'logs-2026.11.01/restore-name')?.summary.startsWith('cloned') ? 'clone' : 'reindex';
    const w = watcher.report();
    // Red as the watcher grades it: with a primary unassigned, or longer than a just-created index's primaries take.
    const red = !w.redSeen ? 'no' : w.maxUnassignedPrimaries > 0 ? `YES, ${w.maxUnassignedPrimaries} primaries unassigned` : `${formatDuration(w.timeIn.red)} while new primaries started, none unassigned`;
    return { clockMs: r.clockMs, rebuildMs, picked, missing, red, green: health.status === 'green' };
  } finally {
    await client.close();
    await estate.close();
  }
}

const rows: string[] = [];
const d = (ms: number) => formatDuration(ms).padStart(8);
try {
  for (const throttle of THROTTLES) {
    for (const rate of RATES) {
      for (const docs of SIZES) {
        // BENCH_CELL=docs,rate,throttle runs one cell (to look again at one row).
        if (process.env.BENCH_CELL && process.env.BENCH_CELL !== `${docs},${rate},${throttle}`) continue;
        const clone = await runPath('clone', docs, rate, throttle);
        const reindex = await runPath('reindex', docs, rate, throttle);
        const auto = await runPath('auto', docs, rate, throttle);
        const best = (k: 'clockMs' | 'rebuildMs') => Math.min(clone[k], reindex[k]);
        rows.push(
          `  ${String(docs).padStart(6)} docs ${String(rate).padStart(5)} docs/s ${throttle.padStart(4)}/s │ job: clone ${d(clone.clockMs)} reindex ${d(reindex.clockMs)} ratio ${(clone.clockMs / reindex.clockMs).toFixed(2)}` +
            ` │ rebuild: clone ${d(clone.rebuildMs)} reindex ${d(reindex.rebuildMs)} ratio ${(clone.rebuildMs / reindex.rebuildMs).toFixed(2)}` +
            ` │ auto picked ${auto.picked.padEnd(7)} rebuild ${d(auto.rebuildMs)} = ${(auto.rebuildMs / best('rebuildMs')).toFixed(2)} of the quicker, job ${(auto.clockMs / best('clockMs')).toFixed(2)}` +
            ` │ missing (watcher; of those counted before) ${clone.missing} / ${reindex.missing} / ${auto.missing}; red ${clone.red} / ${reindex.red} / ${auto.red}; green ${clone.green && reindex.green && auto.green ? 'yes' : 'NO'}`,
        );
        console.error(rows.at(-1));
      }
    }
  }
} finally {
  await redis.stop();
}
console.log(`/elk reindex, clone path vs double-reindex path vs auto (clock speed ${speed}×):`);
console.log(rows.join('\n'));
process.exit(0);
