import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate } from '../../../sim/estate';
import { driveToEnd } from '../../helpers/drive-job';
import type { Harness } from '../../helpers/harness';
import { jobIdIn } from '../../helpers/job-id';
import { asExpected, countedThroughClient, exactly, leftovers, putLogsTemplate, startReindexBot, watcherAudit, type EstateForReindex } from './fixture';

const hasButtons = (h: Harness, id: string) => h.thread(id).some((m) => /approval_approve/.test(JSON.stringify(m.blocks ?? '')));

describe('reindex plan refusals and dry run (Slack emulator, BullMQ, worker in process)', () => {
  let estate: EstateForReindex;
  let es: Client;
  let h: Harness;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 2, version: '8.15.0', speed: 100 })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
    es = new Client({ node: estate.es.url });
    h = await startReindexBot(estate, { worker: 'in-process' });
  });
  afterAll(async () => {
    await h?.close();
    await es?.close();
    await estate?.close();
  });

  /** Queues the command and runs the job to its end; no question may be asked. */
  const run = async (bot: Harness, text: string) => {
    const reply = await bot.command('alice', text);
    const id = jobIdIn(reply);
    const { final, asked } = await driveToEnd(bot, id, { decide: (p) => { throw new Error(`unexpected question: ${p.request.action}`); } });
    return { id, reply, final, asked, thread: bot.threadText(id) };
  };

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

    const r = await run(h, 'reindex prod logs-* --dry-run').finally(() => clearInterval(writer));

    expect(r.final.state, r.final.failedReason).toBe('completed');
    const plan = r.final.data.records[0].summary;
    for (const text of [plan, r.thread]) {
      expect(text).toMatch(/✗ logs-yellow: refused — health is yellow/);
      expect(text).toMatch(/✗ logs-writer: refused — write index of alias logs-write/);
      expect(text).toMatch(/✗ logs-2024\.01\.01\.01: refused — newest index of the time series logs-\*/);
      expect(text).toMatch(/✗ logs-busy: refused — still receiving documents/);
      expect(text).toMatch(/• logs-ok: 100 docs/);
      expect(text).toMatch(/• logs-2024\.01\.01\.00: 100 docs/);
    }
    expect(plan).not.toMatch(/✗ logs-ok|✗ logs-2024\.01\.01\.00|✗ logs-other/);
    expect(r.thread).toMatch(/Dry run: nothing was changed/);
  });

  it('refuses hidden indices by name, system ones at parse time, and an expression matching more than reindex.maxIndices', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('hid-a', { shards: 1, replicas: 1, docs: 10, settings: { 'index.hidden': 'true' } });
    const hidden = await run(h, 'reindex prod hid-a --dry-run');
    expect(hidden.final.state).toBe('failed');
    expect(hidden.final.failedReason).toMatch(/hid-a: refused — hidden index/);
    expect(hidden.thread).toMatch(/Failed.*hid-a: refused — hidden index/s);

    // Refused before any job exists: no card, no thread.
    const cards = h.slack.messages('C0OPS').length;
    expect(await h.command('alice', 'reindex prod .kibana_1 --dry-run')).toMatch(/could match system indices/);
    expect(h.slack.messages('C0OPS')).toHaveLength(cards);

    for (const x of ['a', 'b', 'c']) cluster.createIndex(`logs-many-${x}`, { shards: 1, replicas: 0, docs: 1 });
    const small = await startReindexBot(estate, { worker: 'in-process', clusterConfig: { reindex: { maxIndices: 2 } } });
    try {
      const many = await run(small, 'reindex prod logs-many-* --dry-run');
      expect(many.final.state).toBe('failed');
      expect(many.final.failedReason).toMatch(/matches 3 indices, more than reindex.maxIndices \(2\).*--max-indices 3/);
      const raised = await run(small, 'reindex prod logs-many-* --dry-run --max-indices 3');
      expect(raised.final.state, raised.thread).toBe('completed');
      expect(raised.final.data.records.map((x) => x.step)).toEqual(['plan']);
      for (const x of ['a', 'b', 'c']) expect(raised.thread).toContain(`logs-many-${x}: 1 doc,`);
      expect(raised.thread).not.toMatch(/maxIndices/);
    } finally {
      await small.close();
    }
  });

  it('a dry run stops after the plan and changes nothing', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-dry', { shards: 1, replicas: 1, docs: 250 });
    const before = await countedThroughClient(estate.es.url, ['logs-dry']);
    expect(before).toEqual({ 'logs-dry': 250 });
    const r = await run(h, 'reindex prod logs-dry --dry-run');
    expect(r.reply).toMatch(/Dry run of reindex/);
    expect(r.final.returnvalue.outcome).toBe('completed');
    expect(r.final.data.records.map((x) => x.step)).toEqual(['plan']);
    expect(r.asked).toEqual([]);
    expect(hasButtons(h, r.id)).toBe(false);
    expect(leftovers(cluster, ['logs-dry'])).toEqual({ temps: [], missing: [], blocked: [] });
    expect(exactly(await watcherAudit(estate, before))).toEqual(asExpected(before));
  });
});
