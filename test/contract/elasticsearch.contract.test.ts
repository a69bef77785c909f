/**
 * What the bot relies on from Elasticsearch. Runs against the simulator by default; with ES_URL set it runs
 * unchanged against a real cluster, touching only indices it creates (prefixed `elk-ops-contract-<run>-`).
 */
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src/clock';
import { startElasticsearchSimulator, type SimCluster } from '../../sim/elasticsearch';
import { responseError } from '../sim/elasticsearch/sim-harness';

const REAL = process.env.ES_URL;
const run = `elk-ops-contract-${Date.now().toString(36)}`;
const name = (s: string) => `${run}-${s}`;
let client: Client;
let sim: { cluster: SimCluster; close(): Promise<void> } | undefined;


beforeAll(async () => {
  if (REAL) {
    client = new Client({ node: REAL, maxRetries: 0 });
    return;
  }
  const s = await startElasticsearchSimulator({ clock: scaledClock(100), knobs: { reindexDocsPerSec: 500 } });
  for (let i = 1; i <= 3; i++) s.cluster.seedNode({ name: `es-${i}`, ip: `10.0.0.${i}`, version: '8.15.0', roles: ['master', 'data'] });
  sim = s;
  client = new Client({ node: s.url, maxRetries: 0 });
});

afterAll(async () => {
  for (const idx of ['refresh', 'block', 'clone-src', 'clone-dst', 'reindex-src', 'reindex-dst', 'explain', 'killed'])
    await client.indices.delete({ index: name(idx), ignore_unavailable: true }).catch(() => undefined);
  await client.close();
  await sim?.close();
});

const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ '@timestamp': new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(), Status: i % 10 === 0 ? 503 : 200, n: i }));
const bulk = (index: string, items: object[]) => client.bulk({ operations: items.flatMap((d) => [{ index: { _index: index } }, d]) });

describe('Elasticsearch contract', () => {
  it('health long poll answers when the condition holds and 408 with timed_out when it never does', async () => {
    const ok = await client.cluster.health({ wait_for_nodes: '>=1', timeout: '5s' });
    expect(ok.timed_out).toBe(false);
    const err = await responseError(client.cluster.health({ wait_for_nodes: '>=1000', timeout: '1s' }));
    expect(err.statusCode).toBe(408);
    expect(err.body).toMatchObject({ timed_out: true });
    expect(err.body).toHaveProperty('status');
    expect(err.body).toHaveProperty('unassigned_shards');
  });

  it('documents become countable only after a refresh', async () => {
    const index = name('refresh');
    await client.indices.create({ index, settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' } });
    await bulk(index, docs(20));
    expect((await client.count({ index })).count).toBe(0);
    const refreshed = await client.indices.refresh({ index });
    expect(refreshed._shards?.failed).toBe(0);
    const count = await client.count({ index });
    expect(count).toMatchObject({ count: 20, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
  });

  it('a write block rejects bulk items with 403 cluster_block_exception', async () => {
    const index = name('block');
    await client.indices.create({ index, settings: { number_of_shards: 1, number_of_replicas: 0 } });
    await client.indices.putSettings({ index, settings: { 'index.blocks.write': true } });
    const res = await bulk(index, docs(1));
    expect(res.errors).toBe(true);
    expect(res.items[0].index).toMatchObject({
      status: 403,
      error: { type: 'cluster_block_exception', reason: `index [${index}] blocked by: [FORBIDDEN/8/index write (api)];` },
    });
  });

  it('clone refuses a writable source and copies a write-blocked one, block included', async () => {
    const src = name('clone-src');
    const dst = name('clone-dst');
    await client.indices.create({ index: src, settings: { number_of_shards: 2, number_of_replicas: 0 } });
    await bulk(src, docs(30));
    const refused = await responseError(client.indices.clone({ index: src, target: dst }));
    expect(refused.body).toMatchObject({ error: { type: 'illegal_state_exception', reason: `index ${src} must be read-only to resize index. use "index.blocks.write=true"` } });
    await client.indices.putSettings({ index: src, settings: { 'index.blocks.write': true } });
    expect(await client.indices.clone({ index: src, target: dst })).toMatchObject({ acknowledged: true, index: dst });
    await client.cluster.health({ index: dst, wait_for_status: 'yellow', timeout: '30s' });
    await client.indices.refresh({ index: dst });
    expect((await client.count({ index: dst })).count).toBe(30);
    const s = await client.indices.getSettings({ index: dst, flat_settings: true });
    expect(s[dst].settings?.['index.blocks.write']).toBe('true');
  });

  it('async reindex: task id, running or completed status, then the reindex response', async () => {
    const src = name('reindex-src');
    const dst = name('reindex-dst');
    await client.indices.create({ index: src, settings: { number_of_shards: 1, number_of_replicas: 0 } });
    await bulk(src, docs(2_000));
    await client.indices.refresh({ index: src });
    const { task } = await client.reindex({ source: { index: src }, dest: { index: dst }, wait_for_completion: false });
    expect(String(task)).toMatch(/^[\w-]+:\d+$/);
    const first = await client.tasks.get({ task_id: String(task) });
    expect(first.task.action).toBe('indices:data/write/reindex');
    expect(first.task.status).toHaveProperty('created');
    const done = await client.tasks.get({ task_id: String(task), wait_for_completion: true, timeout: '60s' });
    expect(done.completed).toBe(true);
    expect(done.response).toMatchObject({ total: 2_000, created: 2_000, failures: [] });
  });

  it('allocation explain names the same_shard decider for a replica with nowhere to go', async () => {
    const index = name('explain');
    const { number_of_data_nodes: dataNodes } = await client.cluster.health();
    await client.indices.create({ index, settings: { number_of_shards: 1, number_of_replicas: dataNodes } });
    const e = await client.cluster.allocationExplain({ index, shard: 0, primary: false });
    expect(e).toMatchObject({ index, shard: 0, primary: false, current_state: 'unassigned', can_allocate: 'no' });
    expect(typeof e.allocate_explanation).toBe('string');
    const decisions = e.node_allocation_decisions!;
    expect(decisions.length).toBe(dataNodes);
    expect(decisions.every((d) => d.node_decision === 'no')).toBe(true);
    expect(decisions.some((d) => d.deciders!.some((x) => x.decider === 'same_shard' && x.decision === 'NO'))).toBe(true);
  });

  it.skipIf(!!REAL)('a reindex task dies with its node: 404 resource_not_found_exception (simulator only: needs to kill a node)', async () => {
    const src = name('reindex-src');
    sim!.cluster.knobs.reindexDocsPerSec = 20;
    const { task } = await client.reindex({ source: { index: src }, dest: { index: name('killed') }, wait_for_completion: false });
    const nodeId = String(task).split(':')[0];
    sim!.cluster.stopNode(sim!.cluster.nodes().find((n) => n.id === nodeId)!.name);
    const err = await responseError(client.tasks.get({ task_id: String(task) }));
    expect(err.statusCode).toBe(404);
    expect(err.body).toMatchObject({ error: { type: 'resource_not_found_exception' } });
  });
});
