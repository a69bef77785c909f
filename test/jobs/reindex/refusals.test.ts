import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive } from '../../../bench/reindex-drive';
import { startEstate } from '../../../sim/estate';
import { depsFor, leftovers, putLogsTemplate, type EstateForReindex } from './fixture';

describe('reindex plan refusals and dry run', () => {
  let estate: EstateForReindex;
  let es: Client;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 2, version: '8.15.0', speed: 100 })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
    es = new Client({ node: estate.es.url });
  });
  afterAll(async () => {
    await es.close();
    await estate.close();
  });

  const plan = (expression: string, extra: Record<string, unknown> = {}, jobId = `plan-${expression}`) =>
    drive({ deps: depsFor(estate), clock: estate.clock, args: { expression, dryRun: true, ...extra }, jobId });

  it('refuses, with the reason, indices that are not green, write targets, newest of a series, or still receiving', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-ok', { shards: 1, replicas: 1, docs: 100 });
    cluster.createIndex('logs-yellow', { shards: 1, replicas: 3, docs: 100 }); // more replicas than data nodes
    cluster.createIndex('logs-writer', { shards: 1, replicas: 1, docs: 100 });
    cluster.createIndex('logs-other', { shards: 1, replicas: 1, docs: 100 });
    await es.indices.updateAliases({
      actions: [
        { add: { index: 'logs-writer', alias: 'logs-write', is_write_index: true } },
        { add: { index: 'logs-other', alias: 'logs-write', is_write_index: false } },
      ],
    });
    cluster.createIndex('logs-2024.01.01.00', { shards: 1, replicas: 1, docs: 100 });
    cluster.createIndex('logs-2024.01.01.01', { shards: 1, replicas: 1, docs: 100 });
    cluster.createIndex('logs-busy', { shards: 1, replicas: 1, docs: 100 });
    const writer = setInterval(() => cluster.indexDocs('logs-busy', [{ at: Date.now() }], { refresh: true }), 5);

    const run = await plan('logs-*');
    clearInterval(writer);

    expect(run.outcome, run.stopText).toBe('completed');
    const text = run.data.records[0].summary;
    expect(text).toMatch(/✗ logs-yellow: refused — health is yellow/);
    expect(text).toMatch(/✗ logs-writer: refused — write index of alias logs-write/);
    expect(text).toMatch(/✗ logs-2024\.01\.01\.01: refused — newest index of the time series logs-\*/);
    expect(text).toMatch(/✗ logs-busy: refused — still receiving documents/);
    expect(text).toMatch(/• logs-ok: 100 docs/);
    expect(text).toMatch(/• logs-2024\.01\.01\.00: 100 docs/);
    expect(text).toMatch(/Dry run: nothing was changed/);
  });

  it('refuses system and hidden indices by name, and an expression matching more than reindex.maxIndices', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('hid-a', { shards: 1, replicas: 1, docs: 10, settings: { 'index.hidden': 'true' } });
    const hidden = await plan('hid-a');
    expect(hidden.outcome).toBe('failed');
    expect(hidden.stopText).toMatch(/hid-a: refused — hidden index/);

    const dotted = await plan('.kibana_1');
    expect(dotted.stopText).toMatch(/could match system indices/);

    for (const x of ['a', 'b', 'c']) cluster.createIndex(`many-${x}`, { shards: 1, replicas: 0, docs: 1 });
    const many = await drive({ deps: depsFor(estate, { maxIndices: 2 }), clock: estate.clock, args: { expression: 'many-*', dryRun: true }, jobId: 'many' });
    expect(many.stopText).toMatch(/matches 3 indices, more than reindex.maxIndices \(2\).*--max-indices 3/);
    const raised = await drive({ deps: depsFor(estate, { maxIndices: 2 }), clock: estate.clock, args: { expression: 'many-*', dryRun: true, maxIndices: 3 }, jobId: 'many-raised' });
    expect(raised.data.state.plan).toBeDefined();
    expect(raised.stopText ?? '').not.toMatch(/maxIndices/);
  });

  it('a dry run stops after the plan and changes nothing', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-dry', { shards: 1, replicas: 1, docs: 250 });
    const run = await plan('logs-dry');
    expect(run.outcome).toBe('completed');
    expect(run.data.records.map((r) => r.step)).toEqual(['plan']);
    expect(run.asked).toEqual([]);
    expect(leftovers(cluster, ['logs-dry'])).toEqual({ temps: [], missing: [], blocked: [] });
    expect(cluster.trueDocCount('logs-dry')).toBe(250);
  });
});
