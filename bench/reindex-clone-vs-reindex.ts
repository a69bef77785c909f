/**
 * Clone path vs double-reindex path for `/elk reindex`, through the bot (Slack emulator, BullMQ, a worker
 * process, approvals clicked at once), over three index sizes and two copy rates: the whole table, not one
 * favourable point. Each cell runs both paths on fresh, identical clusters (1 master + 3 data, 8.15, one index of
 * 2 shards × 1 replica); a run ends only when the rebuilt index is green and the temporary copy is gone. The
 * denominator of each ratio is the double-reindex run of the same cell. Times are the cluster's clock.
 * Run: npx tsx bench/reindex-clone-vs-reindex.ts [speed=100]
 * bench-timeout: 420s
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
const redis = await startRedis();
process.env.REDIS_URL = redis.url;

async function runPath(via: 'clone' | 'reindex', docs: number, rate: number) {
  const estate = await startEstate({ masters: 1, data: 3, version: '8.15.0', speed, esKnobs: { reindexDocsPerSec: rate } });
  const client = new Client({ node: estate.es.url });
  try {
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
    return { clockMs: r.clockMs, missing, red: watcher.report().redSeen, green: health.status === 'green' };
  } finally {
    await client.close();
    await estate.close();
  }
}

const rows: string[] = [];
try {
  for (const rate of RATES) {
    for (const docs of SIZES) {
      const clone = await runPath('clone', docs, rate);
      const reindex = await runPath('reindex', docs, rate);
      const ratio = clone.clockMs / reindex.clockMs;
      rows.push(
        `  ${String(docs).padStart(6)} docs  ${String(rate).padStart(5)} docs/s   clone ${formatDuration(clone.clockMs).padStart(8)}   double-reindex ${formatDuration(reindex.clockMs).padStart(8)}   ratio ${ratio.toFixed(2)}   documents missing (watcher; of those counted before the job) ${clone.missing} / ${reindex.missing}   red seen ${clone.red || reindex.red ? 'YES' : 'no'}   green ${clone.green && reindex.green ? 'yes' : 'NO'}`,
      );
    }
  }
} finally {
  await redis.stop();
}
console.log(`/elk reindex, clone path vs double-reindex path (ratio = clone / double-reindex, same cell; clock speed ${speed}×):`);
console.log(rows.join('\n'));
process.exit(0);
