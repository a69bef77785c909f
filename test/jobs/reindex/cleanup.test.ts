import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive } from '../../../bench/reindex-drive';
import { startEstate } from '../../../sim/estate';
import { depsFor, leftovers, putLogsTemplate, type EstateForReindex } from './fixture';

describe('reindex stopped between steps leaves every index readable under its name', () => {
  let estate: EstateForReindex;
  let es: Client;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: 100, esKnobs: { staleReadMs: 10_000, refreshLagMs: 800 } })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
    es = new Client({ node: estate.es.url });
  });
  afterAll(async () => {
    await es.close();
    await estate.close();
  });

  const readable = async (name: string) => (await es.search({ index: name, size: 0, track_total_hits: true })).hits.total;

  it('rejecting the source delete unblocks the source and removes the copy', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-rej', { shards: 2, replicas: 1, docs: 2_000 });
    const run = await drive({
      deps: depsFor(estate),
      clock: estate.clock,
      jobId: 'rej',
      args: { expression: 'logs-rej' },
      decide: (step) => !step.endsWith('/delete-source'),
    });
    expect(run.outcome).toBe('rejected');
    expect(leftovers(cluster, ['logs-rej'])).toEqual({ temps: [], missing: [], blocked: [] });
    expect(cluster.trueDocCount('logs-rej')).toBe(2_000);
    expect(run.cleanup?.join('\n')).toMatch(/logs-rej: untouched, writable again; its partial copy logs-rej-r was deleted/);
  });

  it('cancel during the copy stops the task, deletes the partial copy and unblocks the source', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-cancel-copy', { shards: 1, replicas: 1, docs: 2_000 });
    const run = await drive({ deps: depsFor(estate), clock: estate.clock, jobId: 'cc', args: { expression: 'logs-cancel-copy' }, cancelBefore: 'logs-cancel-copy/follow-copy' });
    expect(run.outcome).toBe('cancelled');
    await estate.clock.sleep(5_000); // a task that was not stopped would recreate the copy by now
    expect(leftovers(cluster, ['logs-cancel-copy'])).toEqual({ temps: [], missing: [], blocked: [] });
    expect(cluster.trueDocCount('logs-cancel-copy')).toBe(2_000);
  });

  it.each(['clone', 'reindex'] as const)('cancel after the source is deleted (%s path) finishes the restore from the copy and keeps the copy', async (via) => {
    const { cluster } = estate.es;
    const name = `logs-after-${via}`;
    cluster.createIndex(name, { shards: 2, replicas: 1, docs: 2_500 });
    await es.indices.updateAliases({ actions: [{ add: { index: name, alias: `${name}-read`, is_write_index: false } }] });
    const run = await drive({ deps: depsFor(estate), clock: estate.clock, jobId: `after-${via}`, args: { expression: name, restoreVia: via }, cancelBefore: `${name}/restore-name` });
    expect(run.outcome).toBe('cancelled');
    expect(cluster.trueDocCount(name)).toBe(2_500);
    expect(await readable(name)).toMatchObject({ value: 2_500 });
    expect(cluster.indices.get(name).settings['index.blocks.write']).not.toBe('true');
    expect(Object.keys(await es.indices.getAlias({ name: `${name}-read` }))).toEqual([name]);
    // The copy is never deleted by cleanup once the source is gone; the thread says where it is.
    expect(cluster.trueDocCount(`${name}-r`)).toBe(2_500);
    expect(run.cleanup?.join('\n')).toMatch(new RegExp(`${name}-r was kept as a second copy: delete it with \`DELETE /${name}-r\``));
  });

  it('cancel in the middle of a second copy replaces the partial rebuild with a clone of the verified copy', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-mid', { shards: 2, replicas: 1, docs: 6_000 });
    const run = await drive({ deps: depsFor(estate), clock: estate.clock, jobId: 'mid', args: { expression: 'logs-mid', restoreVia: 'reindex' }, crashAt: 'logs-mid/restore-name:during' });
    expect(run.outcome).toBe('crashed');
    // The operator cancels the job instead of letting it resume.
    const { cleanupReindex } = await import('../../../jobs/reindex/cleanup');
    const lines = await cleanupReindex(
      { jobId: 'mid', data: run.data, state: run.data.state, deps: depsFor(estate), clock: estate.clock, signal: AbortSignal.abort(), setState: async (p) => void Object.assign(run.data.state, p), progress: async () => undefined, say: async () => undefined, log: async () => undefined, decide: async () => ({ approved: false, by: 'x', at: 0 }) },
      'cancelled',
    );
    expect(lines.join('\n')).toMatch(/logs-mid: restored from its copy with `_clone` and verified \(6,000 docs\)/);
    expect(cluster.trueDocCount('logs-mid')).toBe(6_000);
    expect(cluster.indices.get('logs-mid').settings['index.blocks.write']).not.toBe('true');
  });
});
