import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive } from '../../../bench/reindex-drive';
import { startEstate } from '../../../sim/estate';
import { depsFor, leftovers, putLogsTemplate, TEMPLATE_FIELD, type EstateForReindex } from './fixture';

const LAGGY = { refreshLagMs: 1_500, staleReadMs: 20_000, reindexDocsPerSec: 4_000 };

describe('reindex job on a cluster with refresh lag and stale reads', () => {
  let estate: EstateForReindex;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: 100, esKnobs: LAGGY })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
  });
  afterAll(() => estate.close());

  it('rebuilds every index under its name with the template mappings, settings and aliases, losing nothing', async () => {
    const { cluster } = estate.es;
    const names = ['logs-app-a', 'logs-app-b', 'logs-app-c'];
    names.forEach((name, i) => cluster.createIndex(name, { shards: 2, replicas: 1, docs: 3_000 + i * 1_500 }));
    const es = new Client({ node: estate.es.url });
    await es.indices.updateAliases({ actions: [{ add: { index: 'logs-app-a', alias: 'logs-read' } }, { add: { index: 'logs-app-b', alias: 'logs-read' } }] });
    await es.indices.putSettings({ index: 'logs-app-b', settings: { 'index.refresh_interval': '30s' } });
    const before = Object.fromEntries(names.map((n) => [n, cluster.trueDocCount(n)]));

    const run = await drive({ deps: depsFor(estate), clock: estate.clock, args: { expression: 'logs-app-*' } });

    expect(run.outcome, run.stopText).toBe('completed');
    for (const n of names) expect(cluster.trueDocCount(n)).toBe(before[n]);
    expect(leftovers(cluster, names)).toEqual({ temps: [], missing: [], blocked: [] });
    for (const n of names) expect(cluster.indices.get(n).mappings.properties).toHaveProperty(TEMPLATE_FIELD);
    const aliases = await es.indices.getAlias({ name: 'logs-read' });
    expect(Object.keys(aliases).sort()).toEqual(['logs-app-a', 'logs-app-b']);
    expect(cluster.indices.get('logs-app-b').settings['index.refresh_interval']).toBe('30s');
    expect(cluster.observations.lostDocs).toBe(0);
    expect(run.asked).toEqual([
      'reindex 3 indices (13,500 docs) on prod',
      'delete logs-app-a (3,000 documents) — its copy logs-app-a-r holds 3,000',
      'delete logs-app-b (4,500 documents) — its copy logs-app-b-r holds 4,500',
      'delete logs-app-c (6,000 documents) — its copy logs-app-c-r holds 6,000',
    ]);
    await es.close();
  });

  it('the naive sequence (synchronous _reindex, one count, delete) loses documents on the same cluster', async () => {
    const { cluster } = estate.es;
    cluster.knobs.refreshLagMs = 30_000;
    const es = new Client({ node: estate.es.url });
    cluster.createIndex('logs-naive', { shards: 2, replicas: 1, docs: 4_000 });
    // Acknowledged writes that are not yet searchable when the copy starts, as after a burst through the load balancer.
    cluster.indexDocs('logs-naive', Array.from({ length: 500 }, (_, i) => ({ late: i })));
    const truth = cluster.trueDocCount('logs-naive');

    await es.indices.create({ index: 'logs-naive-r' });
    await es.reindex({ wait_for_completion: true, source: { index: 'logs-naive' }, dest: { index: 'logs-naive-r' } });
    const [src, copy] = await Promise.all([es.count({ index: 'logs-naive' }), es.count({ index: 'logs-naive-r' })]);
    expect(copy.count).toBeLessThanOrEqual(src.count); // the naive script trusted this single read
    await es.indices.delete({ index: 'logs-naive' });
    await es.indices.addBlock({ index: 'logs-naive-r', block: 'write' });
    await es.indices.clone({ index: 'logs-naive-r', target: 'logs-naive' });
    await es.indices.delete({ index: 'logs-naive-r' });

    expect(cluster.trueDocCount('logs-naive')).toBeLessThan(truth);
    cluster.knobs.refreshLagMs = LAGGY.refreshLagMs;
    await es.close();
  });

  it('the job rebuilds the same kind of index (late, unsearchable writes) without losing one', async () => {
    const { cluster } = estate.es;
    cluster.knobs.refreshLagMs = 30_000;
    cluster.createIndex('logs-late', { shards: 2, replicas: 1, docs: 4_000 });
    cluster.indexDocs('logs-late', Array.from({ length: 500 }, (_, i) => ({ late: i })));
    const truth = cluster.trueDocCount('logs-late');

    const run = await drive({ deps: depsFor(estate), clock: estate.clock, args: { expression: 'logs-late' }, jobId: 'late-1' });
    cluster.knobs.refreshLagMs = LAGGY.refreshLagMs;

    expect(run.outcome, run.stopText).toBe('completed');
    expect(cluster.trueDocCount('logs-late')).toBe(truth);
    expect(leftovers(cluster, ['logs-late'])).toEqual({ temps: [], missing: [], blocked: [] });
  });
});
