/**
 * How fast the job notices a finished copy: clock time from the `_reindex` task completing to the verify step
 * starting, through the bot (Slack emulator, BullMQ, a worker process, the approval clicked at once). The
 * denominator, the task's end, is read from the cluster's public `_tasks` API (start_time_in_millis +
 * running_time_in_nanos of the completed task). Goal: under 1 s.
 * Run: npx tsx bench/reindex-detection.ts [speed=20]
 * bench-timeout: 240s
 */
import { Client } from '@elastic/elasticsearch';
import { startEstate } from '../sim/estate';
import { startRedis } from '../sim/sandbox/redis-server';
import { runThroughSlack } from './run-through-slack';

const speed = Number(process.argv[2] ?? 20);
const INDICES = 4;
const DOCS = 20_000;
const redis = await startRedis();
process.env.REDIS_URL = redis.url;
const estate = await startEstate({ masters: 1, data: 3, version: '8.15.0', speed, esKnobs: { reindexDocsPerSec: 10_000 } });
const client = new Client({ node: estate.es.url });
const rows: string[] = [];
const latencies: number[] = [];
try {
  await client.indices.putIndexTemplate({ name: 'logs', index_patterns: ['logs-*'], priority: 1, template: { mappings: { properties: { host: { type: 'keyword' } } } } });
  for (let i = 0; i < INDICES; i++) estate.es.cluster.createIndex(`logs-2026.10.0${i + 1}`, { shards: 2, replicas: 1, docs: DOCS });
  // The newest index of a series is where documents go; the plan refuses it, so it is not in the expression.
  estate.es.cluster.createIndex('logs-2026.10.09', { shards: 2, replicas: 1, docs: 10 });
  const names = Array.from({ length: INDICES }, (_, i) => `logs-2026.10.0${i + 1}`).join(',');
  const r = await runThroughSlack(`reindex prod ${names}`, { estate });
  await r.harness.close();
  if (r.outcome !== 'completed') throw new Error(`reindex ${r.outcome}`);
  for (const rec of r.records.filter((x) => x.step.endsWith('/verify-copy'))) {
    const index = rec.step.split('/')[0];
    const taskId = (r.data.state[`index:${index}`] as { copyTask?: string } | undefined)?.copyTask;
    if (!taskId) continue;
    const t = (await client.tasks.get({ task_id: taskId })) as unknown as { task: { start_time_in_millis: number; running_time_in_nanos: number } };
    const endedAt = Number(t.task.start_time_in_millis) + Number(t.task.running_time_in_nanos) / 1e6;
    const latency = rec.startedAt - endedAt;
    latencies.push(latency);
    rows.push(`  ${index.padEnd(16)} task ended → verify started: ${latency.toFixed(0).padStart(5)} ms clock (${(latency / speed).toFixed(1)} ms real)`);
  }
} finally {
  await client.close();
  await estate.close();
  await redis.stop();
}
if (!latencies.length) throw new Error('no copy task was found in the job state');
const worst = Math.max(...latencies);
console.log(`reindex detection latency (${latencies.length} indices × ${DOCS} docs, clock speed ${speed}×; from the task's end in _tasks to the verify step's start)`);
console.log(rows.join('\n'));
console.log(`  worst ${worst.toFixed(0)} ms clock, mean ${(latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(0)} ms clock — goal < 1000 ms: ${worst < 1000 ? 'met' : 'NOT met'}`);
process.exit(0);
