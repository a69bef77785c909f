import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate } from '../../../sim/estate';
import { driveToEnd } from '../../helpers/drive-job';
import type { Harness } from '../../helpers/harness';
import { jobIdIn } from '../../helpers/job-id';
import { asExpected, bulkAcked, countedThroughClient, exactly, leftovers, putLogsTemplate, startReindexBot, TEMPLATE_FIELD, watcherAudit, type EstateForReindex } from './fixture';

const LAGGY = { refreshLagMs: 1_500, staleReadMs: 20_000, reindexDocsPerSec: 4_000 };

describe('reindex job on a cluster with refresh lag and stale reads (Slack emulator, BullMQ, worker in process)', () => {
  let estate: EstateForReindex;
  let h: Harness;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: 100, esKnobs: LAGGY })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
    h = await startReindexBot(estate, { worker: 'in-process' });
  });
  afterAll(async () => {
    await h?.close();
    await estate?.close();
  });

  it('rebuilds every index under its name with the template mappings, settings and aliases, losing nothing', async () => {
    const { cluster } = estate.es;
    const names = ['logs-app-a', 'logs-app-b', 'logs-app-c'];
    names.forEach((name, i) => cluster.createIndex(name, { shards: 2, replicas: 1, docs: 3_000 + i * 1_500 }));
    const es = new Client({ node: estate.es.url });
    await es.indices.updateAliases({ actions: [{ add: { index: 'logs-app-a', alias: 'logs-read' } }, { add: { index: 'logs-app-b', alias: 'logs-read' } }] });
    await es.indices.putSettings({ index: 'logs-app-b', settings: { 'index.refresh_interval': '30s' } });
    // What must survive: the sources as counted through the official client before the job.
    const before = await countedThroughClient(estate.es.url, names);
    expect(before).toEqual({ 'logs-app-a': 3_000, 'logs-app-b': 4_500, 'logs-app-c': 6_000 });

    const id = jobIdIn(await h.command('alice', 'reindex prod logs-app-*'));
    const { final, asked } = await driveToEnd(h, id);

    expect(final.state, final.failedReason).toBe('completed');
    expect(final.returnvalue.outcome, h.threadText(id)).toBe('completed');
    expect(exactly(await watcherAudit(estate, before))).toEqual(asExpected(before));
    expect(leftovers(cluster, names)).toEqual({ temps: [], missing: [], blocked: [] });
    for (const n of names) expect(cluster.indices.get(n).mappings.properties).toHaveProperty(TEMPLATE_FIELD);
    const aliases = await es.indices.getAlias({ name: 'logs-read' });
    expect(Object.keys(aliases).sort()).toEqual(['logs-app-a', 'logs-app-b']);
    expect(cluster.indices.get('logs-app-b').settings['index.refresh_interval']).toBe('30s');
    expect(asked.map((a) => a.action)).toEqual([
      'reindex 3 indices (13,500 docs) on prod',
      'delete logs-app-a (3,000 documents) — its copy logs-app-a-r holds 3,000',
      'delete logs-app-b (4,500 documents) — its copy logs-app-b-r holds 4,500',
      'delete logs-app-c (6,000 documents) — its copy logs-app-c-r holds 6,000',
    ]);
    // Each delete was asked with its copy's verified count, and the thread shows every index rebuilt.
    const thread = h.threadText(id);
    for (const n of names) expect(thread).toContain(`delete ${n} (`);
    expect(thread).toMatch(/🏁/);
    // The plan names no time; the first copy's result gives the estimate from its measured rate, and the job
    // goes by it from then on (the card's ETA and its final "estimated …, took …").
    expect(thread).toMatch(/Estimated time: posted when the first copy is done, from its measured rate/);
    expect(thread).toMatch(/logs-app-a-r received 3,000 of 3,000 documents \([^)]+\)\. ⏱ Estimate from this copy \([\d,]+ docs\/s\): ~.+ of work left, ~.+ in all \(cluster time, 100× real time\) — copying the other 2 indices \(10,500 docs\) at that rate/);
    expect(h.thread(id).filter((m) => /⏱ Estimate from this copy/.test(m.text))).toHaveLength(1);
    expect(final.data.state.estimate).toMatchObject({ basis: 'first copy', groups: { 'logs-app-a': expect.any(Number), 'logs-app-b': expect.any(Number), 'logs-app-c': expect.any(Number) } });
    await es.close();
  });

  it('the naive sequence (synchronous _reindex, one count, delete) loses documents on the same cluster', async () => {
    const { cluster } = estate.es;
    cluster.knobs.refreshLagMs = 30_000;
    const es = new Client({ node: estate.es.url });
    cluster.createIndex('logs-naive', { shards: 2, replicas: 1, docs: 4_000 });
    const counted = await countedThroughClient(estate.es.url, ['logs-naive']);
    // Acknowledged writes that are not yet searchable when the copy starts, as after a burst through the load balancer.
    const late = await bulkAcked(estate.es.url, 'logs-naive', Array.from({ length: 500 }, (_, i) => ({ late: i })));
    expect(late).toBe(500);
    const truth = { 'logs-naive': counted['logs-naive'] + late };

    await es.indices.create({ index: 'logs-naive-r' });
    await es.reindex({ wait_for_completion: true, source: { index: 'logs-naive' }, dest: { index: 'logs-naive-r' } });
    const [src, copy] = await Promise.all([es.count({ index: 'logs-naive' }), es.count({ index: 'logs-naive-r' })]);
    expect(copy.count).toBeLessThanOrEqual(src.count); // the naive script trusted this single read
    await es.indices.delete({ index: 'logs-naive' });
    await es.indices.addBlock({ index: 'logs-naive-r', block: 'write' });
    await es.indices.clone({ index: 'logs-naive-r', target: 'logs-naive' });
    await es.indices.delete({ index: 'logs-naive-r' });

    cluster.knobs.refreshLagMs = LAGGY.refreshLagMs;
    // The watcher, counting after a refresh with every shard answering, finds acknowledged documents gone.
    const [audit] = await watcherAudit(estate, truth);
    expect(audit.problem).toBeUndefined();
    expect(audit.missing, JSON.stringify(audit)).toBeGreaterThan(0);
    await es.close();
  });

  it('the job rebuilds the same kind of index (late, unsearchable writes) without losing one', async () => {
    const { cluster } = estate.es;
    cluster.knobs.refreshLagMs = 30_000;
    cluster.createIndex('logs-late', { shards: 2, replicas: 1, docs: 4_000 });
    const counted = await countedThroughClient(estate.es.url, ['logs-late']);
    const late = await bulkAcked(estate.es.url, 'logs-late', Array.from({ length: 500 }, (_, i) => ({ late: i })));
    expect(late).toBe(500);
    const truth = { 'logs-late': counted['logs-late'] + late };

    const id = jobIdIn(await h.command('alice', 'reindex prod logs-late'));
    const { final } = await driveToEnd(h, id);
    cluster.knobs.refreshLagMs = LAGGY.refreshLagMs;

    expect(final.returnvalue?.outcome, `${final.failedReason}\n${h.threadText(id)}`).toBe('completed');
    expect(exactly(await watcherAudit(estate, truth))).toEqual(asExpected(truth));
    expect(leftovers(cluster, ['logs-late'])).toEqual({ temps: [], missing: [], blocked: [] });
  });
});
