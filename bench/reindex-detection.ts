/**
 * How fast the job notices a finished copy: clock time from the `_reindex` task completing (as the cluster
 * records it) to the verify step starting. Goal: under 1 s. Runs the real steps on a simulated cluster.
 */
import { startReindexBenchEstate } from '../sim/seed/reindex-estate';
import { drive } from './reindex-drive';

const SPEED = Number(process.env.BENCH_SPEED ?? 20);
const INDICES = 4;
const DOCS = 20_000;
const deadline = setTimeout(() => {
  console.error('reindex-detection: gave up after 120 s');
  process.exit(1);
}, 120_000);

const bench = await startReindexBenchEstate({ speed: SPEED, reindexDocsPerSec: 10_000 });
const { estate, deps } = bench;
const { settings } = deps;
try {
  const { cluster } = estate.es;
  for (let i = 0; i < INDICES; i++) cluster.createIndex(`logs-bench-${String.fromCharCode(97 + i)}`, { shards: 2, replicas: 1, docs: DOCS });
  const verifyStarts = new Map<string, number>();
  const run = await drive({
    deps,
    clock: estate.clock,
    jobId: 'bench-detection',
    args: { expression: 'logs-bench-*' },
    onStep: (step, phase, at) => {
      if (phase === 'start' && step.endsWith('/verify-copy')) verifyStarts.set(step.split('/')[0], at);
    },
  });
  if (run.outcome !== 'completed') throw new Error(`run ended ${run.outcome}: ${run.stopText}`);
  const rows: string[] = [];
  const latencies: number[] = [];
  for (const [index, startedAt] of verifyStarts) {
    const taskId = (run.data.state[`index:${index}`] as { copyTask: string }).copyTask;
    const stored = cluster.tasks.stored.get(taskId)!;
    const endedAt = Number(stored.task.start_time_in_millis) + Number(stored.task.running_time_in_nanos) / 1e6;
    const latency = startedAt - endedAt;
    latencies.push(latency);
    rows.push(`  ${index.padEnd(14)} task ended → verify started: ${latency.toFixed(0).padStart(5)} ms clock (${(latency / SPEED).toFixed(1)} ms real)`);
  }
  const worst = Math.max(...latencies);
  console.log(`reindex detection latency (${INDICES} indices × ${DOCS} docs, clock speed ${SPEED}×, long poll taskPollTimeout ${settings.taskPollTimeout} ms)`);
  console.log(rows.join('\n'));
  console.log(`  worst ${worst.toFixed(0)} ms clock, mean ${(latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(0)} ms clock — goal < 1000 ms: ${worst < 1000 ? 'met' : 'NOT met'}`);
} finally {
  clearTimeout(deadline);
  await bench.close();
}
