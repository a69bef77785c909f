/**
 * Total time to rebuild the same set of indices with the clone path and with the double-reindex path, side by
 * side on one simulated cluster, running the real steps. Goal: clone ≤ 0.6 × double reindex.
 */
import { formatDuration } from '../src/config/duration';
import type { RestoreVia } from '../jobs/reindex/types';
import { startReindexBenchEstate } from '../sim/seed/reindex-estate';
import { drive } from './reindex-drive';

const SPEED = Number(process.env.BENCH_SPEED ?? 20);
const INDICES = 3;
const DOCS = 40_000;
const deadline = setTimeout(() => {
  console.error('reindex-clone-vs-reindex: gave up after 180 s');
  process.exit(1);
}, 180_000);

const bench = await startReindexBenchEstate({ speed: SPEED, reindexDocsPerSec: 500 });
const { estate, deps } = bench;
try {
  const { cluster } = estate.es;
  for (const via of ['clone', 'reindex'] as const) {
    for (let i = 0; i < INDICES; i++) cluster.createIndex(`logs-${via}-${String.fromCharCode(97 + i)}`, { shards: 2, replicas: 1, docs: DOCS });
  }
  const timeRun = async (via: RestoreVia) => {
    const started = estate.clock.now();
    const realStarted = Date.now();
    const run = await drive({ deps, clock: estate.clock, jobId: `bench-${via}`, args: { expression: `logs-${via}-*`, restoreVia: via } });
    if (run.outcome !== 'completed') throw new Error(`${via} run ended ${run.outcome}: ${run.stopText}`);
    const lost = INDICES * DOCS - cluster.trueDocCount(`logs-${via}-*`);
    // The part the two paths do differently: putting the data back under the original name.
    const rebuild = run.data.records.filter((r) => r.step.endsWith('/restore-name')).reduce((sum, r) => sum + r.finishedAt - r.startedAt, 0);
    return { clock: estate.clock.now() - started, real: Date.now() - realStarted, lost, rebuild };
  };
  const clone = await timeRun('clone');
  const reindex = await timeRun('reindex');
  const ratio = clone.clock / reindex.clock;
  console.log(`reindex ${INDICES} indices × ${DOCS} docs (reindexDocsPerSec 500, clock speed ${SPEED}×), same cluster, real steps:`);
  const line = (label: string, r: typeof clone) =>
    `  ${label} total ${formatDuration(r.clock).padStart(8)} clock (${r.real} ms real), rebuilding the names ${formatDuration(r.rebuild).padStart(7)}, documents lost ${r.lost}`;
  console.log(line('clone path         ', clone));
  console.log(line('double-reindex path', reindex));
  console.log(`  ratio clone / double-reindex = ${ratio.toFixed(2)} — goal ≤ 0.60: ${ratio <= 0.6 ? 'met' : 'NOT met'}`);
} finally {
  clearTimeout(deadline);
  await bench.close();
}
