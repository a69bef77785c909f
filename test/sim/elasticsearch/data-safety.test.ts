import type { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLogDocs } from '../../../sim/log-docs';
import { startSim, type SimHarness, responseError } from './sim-harness';

let h: SimHarness;
afterEach(async () => h?.close());

const bulkIndex = (client: Client, index: string, docs: object[]) =>
  client.bulk({ operations: docs.flatMap((d) => [{ index: { _index: index } }, d]) });


describe('Elasticsearch simulator: refresh, reindex, clone and blocks', () => {
  it('documents are searchable only after a refresh; refreshLagMs delays it', async () => {
    h = await startSim({ knobs: { refreshLagMs: 3_000 } });
    await h.client.indices.create({ index: 'r', settings: { number_of_shards: 2, refresh_interval: '-1' } });
    const docs = generateLogDocs({ count: 50, from: 0, to: 60_000, seed: 3 });
    await bulkIndex(h.client, 'r', docs);
    expect((await h.client.count({ index: 'r' })).count).toBe(0);
    expect(h.cluster.trueDocCount('r')).toBe(50);
    const before = h.clock.now();
    await h.client.indices.refresh({ index: 'r' });
    expect(h.clock.now() - before).toBeGreaterThanOrEqual(3_000);
    expect((await h.client.count({ index: 'r' })).count).toBe(50);
    const res = await h.client.search({ index: 'r', size: 0, query: { query_string: { query: 'Status:[300 TO 499]' } }, aggs: { by: { terms: { field: 'host.keyword' } } } });
    // The refreshed documents answer queries and aggregations exactly as their content says.
    const matching = docs.filter((d) => d.Status >= 300 && d.Status <= 499);
    const perHost = new Map<string, number>();
    for (const d of matching) perHost.set(d.host, (perHost.get(d.host) ?? 0) + 1);
    expect(matching.length, 'the seed yields some 3xx and 4xx documents').toBeGreaterThan(0);
    expect(matching.length, 'and not only those').toBeLessThan(docs.length);
    expect(res.hits.total).toMatchObject({ value: matching.length });
    const buckets = (res.aggregations!.by as { buckets: Array<{ key: string; doc_count: number }> }).buckets;
    expect(Object.fromEntries(buckets.map((b) => [b.key, b.doc_count]))).toEqual(Object.fromEntries(perHost));
  });

  it('reindex task lifecycle: running with growing status, then completed with the documented response', async () => {
    h = await startSim({ knobs: { reindexDocsPerSec: 200 } });
    h.cluster.createIndex('src', { shards: 2, replicas: 1, docs: 5_000 });
    const { task } = await h.client.reindex({ source: { index: 'src' }, dest: { index: 'dst' }, wait_for_completion: false });
    expect(task).toMatch(/^[\w-]+:\d+$/);
    const first = await h.client.tasks.get({ task_id: String(task) });
    expect(first.completed).toBe(false);
    expect(first.task).toMatchObject({ type: 'transport', action: 'indices:data/write/reindex', cancellable: true });
    await h.clock.sleep(1_000);
    const later = await h.client.tasks.get({ task_id: String(task) });
    expect(later.task.status.created).toBeGreaterThan(first.task.status.created);
    const timeout = await responseError(h.client.tasks.get({ task_id: String(task), wait_for_completion: true, timeout: '1s' }));
    expect(timeout.statusCode).toBe(500);
    expect(timeout.body).toMatchObject({ error: { type: 'timeout_exception' } });
    const done = await h.client.tasks.get({ task_id: String(task), wait_for_completion: true, timeout: '60s' });
    expect(done.completed).toBe(true);
    expect(done.response).toMatchObject({ total: 5_000, created: 5_000, updated: 0, version_conflicts: 0, batches: 5, failures: [], timed_out: false });
    expect(h.cluster.trueDocCount('dst')).toBe(5_000);
  });

  it('terminating the node running a reindex kills the task: 404, partial copy stays', async () => {
    h = await startSim({ knobs: { reindexDocsPerSec: 500 } });
    h.cluster.createIndex('src', { shards: 1, replicas: 2, docs: 3_000 });
    const { task } = await h.client.reindex({ source: { index: 'src' }, dest: { index: 'dst' }, wait_for_completion: false });
    await h.clock.sleep(2_000);
    const nodeId = String(task).split(':')[0];
    h.cluster.stopNode(h.cluster.nodes().find((n) => n.id === nodeId)!.name);
    const gone = await responseError(h.client.tasks.get({ task_id: String(task) }));
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toMatchObject({ error: { type: 'resource_not_found_exception' }, status: 404 });
    const copied = h.cluster.trueDocCount('dst');
    expect(copied).toBeGreaterThan(0);
    expect(copied).toBeLessThan(3_000);
  });

  it('naive "sync reindex, one count, delete source" loses unrefreshed writes; the careful procedure does not', async () => {
    h = await startSim();
    const docs = generateLogDocs({ count: 400, from: 0, to: 3_600_000, seed: 9 });

    // naive
    // Refresh off: the last 100 writes stay unsearchable however slowly this runs (at 100× a 30 s interval is 0.3 s real).
    await h.client.indices.create({ index: 'naive-src', settings: { refresh_interval: '-1' } });
    await bulkIndex(h.client, 'naive-src', docs.slice(0, 300));
    await h.client.indices.refresh({ index: 'naive-src' });
    await bulkIndex(h.client, 'naive-src', docs.slice(300));
    await h.client.reindex({ source: { index: 'naive-src' }, dest: { index: 'naive-dst' }, refresh: true });
    const naiveCount = (await h.client.count({ index: 'naive-dst' })).count;
    expect(naiveCount).toBe(300);
    await h.client.indices.delete({ index: 'naive-src' });
    expect(h.cluster.trueDocCount('naive-*')).toBe(300);

    // careful, and now half the reads come from a copy 5 s behind
    h.cluster.knobs.staleReadMs = 5_000;
    await h.client.indices.create({ index: 'careful-src', settings: { refresh_interval: '30s' } });
    await bulkIndex(h.client, 'careful-src', docs);
    await h.client.indices.putSettings({ index: 'careful-src', settings: { 'index.blocks.write': true } });
    await h.client.indices.refresh({ index: 'careful-src' });
    const { task } = await h.client.reindex({ source: { index: 'careful-src' }, dest: { index: 'careful-dst' }, wait_for_completion: false });
    const done = await h.client.tasks.get({ task_id: String(task), wait_for_completion: true, timeout: '5m' });
    expect(done.response.failures).toEqual([]);
    await h.client.indices.refresh({ index: 'careful-dst' });
    // The careful reader counts both sides until two reads 2 s apart agree (a stale copy is 5 s behind): read
    // that way, the copy is complete before the source goes. However slowly this runs, it settles within 10 reads.
    const counts: Array<[number, number]> = [];
    const agreed = () => counts.length >= 2 && counts.slice(-2).every(([a, b]) => a === b && a === counts[counts.length - 1][0]);
    while (counts.length < 10 && !agreed()) {
      if (counts.length) await h.clock.sleep(2_000);
      counts.push([(await h.client.count({ index: 'careful-src' })).count, (await h.client.count({ index: 'careful-dst' })).count]);
    }
    expect(counts.slice(-2)).toEqual([[docs.length, docs.length], [docs.length, docs.length]]);
    await h.client.indices.delete({ index: 'careful-src' });
    expect(h.cluster.trueDocCount('careful-*')).toBe(400);
  });

  it('clone needs a write block on the source, copies the block, and write blocks reject bulk items', async () => {
    h = await startSim();
    h.cluster.createIndex('orig', { shards: 3, replicas: 1, docs: 900 });
    const refused = await responseError(h.client.indices.clone({ index: 'orig', target: 'copy' }));
    expect(refused.statusCode).toBe(500);
    expect(refused.body).toMatchObject({
      error: { type: 'illegal_state_exception', reason: 'index orig must be read-only to resize index. use "index.blocks.write=true"' },
    });
    await h.client.indices.putSettings({ index: 'orig', settings: { index: { blocks: { write: true } } } });
    const bulk = await bulkIndex(h.client, 'orig', [{ a: 1 }]);
    expect(bulk.errors).toBe(true);
    expect(bulk.items[0].index).toMatchObject({
      status: 403,
      error: { type: 'cluster_block_exception', reason: 'index [orig] blocked by: [FORBIDDEN/8/index write (api)];' },
    });
    const cloned = await h.client.indices.clone({ index: 'orig', target: 'copy' });
    expect(cloned).toEqual({ acknowledged: true, shards_acknowledged: true, index: 'copy' });
    expect((await h.client.count({ index: 'copy' })).count).toBe(900);
    const settings = await h.client.indices.getSettings({ index: 'copy', flat_settings: true });
    expect(settings.copy.settings).toMatchObject({ 'index.blocks.write': 'true', 'index.number_of_shards': '3' });
    await h.client.cluster.health({ index: 'copy', wait_for_status: 'green', timeout: '60s' });
  });
});
