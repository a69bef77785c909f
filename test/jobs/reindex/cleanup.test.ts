import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate } from '../../../sim/estate';
import { driveToEnd, driveUntil } from '../../helpers/drive-job';
import { USERS, type Harness } from '../../helpers/harness';
import { jobIdIn } from '../../helpers/job-id';
import { messageText } from '../../../sim/slack';
import { asExpected, countedThroughClient, exactly, leftovers, putLogsTemplate, startReindexBot, tasksInto, watcherAudit, type EstateForReindex } from './fixture';

describe('reindex stopped between steps leaves every index readable under its name (Slack emulator, BullMQ, worker process)', () => {
  let estate: EstateForReindex;
  let es: Client;
  let h: Harness;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: 300, esKnobs: { staleReadMs: 10_000, refreshLagMs: 800 } })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
    es = new Client({ node: estate.es.url });
    h = await startReindexBot(estate);
  });
  afterAll(async () => {
    await h?.close();
    await es?.close();
    await estate?.close();
  });

  const readable = async (name: string) => (await es.search({ index: name, size: 0, track_total_hits: true })).hits.total;

  /** The worker SIGKILLs itself at `crashAt` (questions answered meanwhile); then alice cancels; then a worker resumes it. */
  async function crashThenCancel(command: string, crashAt: string) {
    await h.restartWorker({ crashAt });
    const id = jobIdIn(await h.command('alice', command));
    let dead = false;
    void h.workerExited(60_000).then(() => void (dead = true), () => undefined);
    await driveUntil(h, id, () => dead);
    expect(await h.cancel('alice', id)).toMatch(/Cancel requested/);
    await h.restartWorker();
    const final = await h.waitForJob(id, { until: 'completed' });
    expect(final.returnvalue.outcome, h.threadText(id)).toBe('cancelled');
    return { id, final, thread: h.threadText(id) };
  }

  it('rejecting the source delete unblocks the source and removes the copy', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-rej', { shards: 2, replicas: 1, docs: 2_000 });
    const before = await countedThroughClient(estate.es.url, ['logs-rej']);
    expect(before).toEqual({ 'logs-rej': 2_000 });
    const id = jobIdIn(await h.command('alice', 'reindex prod logs-rej'));
    const { final, asked } = await driveToEnd(h, id, { decide: (p) => !p.step.endsWith('/delete-source') });
    expect(final.returnvalue.outcome).toBe('rejected');
    expect(asked.map((a) => [a.step, a.approved])).toEqual([
      ['approve-run', true],
      ['logs-rej/delete-source', false],
    ]);
    expect(leftovers(cluster, ['logs-rej'])).toEqual({ temps: [], missing: [], blocked: [] });
    expect(exactly(await watcherAudit(estate, before))).toEqual(asExpected(before));
    expect(h.threadText(id)).toMatch(/logs-rej: untouched, writable again; its partial copy logs-rej-r was deleted/);
  });

  it('cancel during the copy stops the task, deletes the partial copy and unblocks the source', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-cancel-copy', { shards: 1, replicas: 1, docs: 2_000 });
    const before = await countedThroughClient(estate.es.url, ['logs-cancel-copy']);
    expect(before).toEqual({ 'logs-cancel-copy': 2_000 });
    const rate = cluster.knobs.reindexDocsPerSec;
    cluster.knobs.reindexDocsPerSec = 2; // 1000 clock seconds of copying: the cancel lands while it runs
    try {
      await h.restartWorker();
      const id = jobIdIn(await h.command('alice', 'reindex prod logs-cancel-copy'));
      await driveUntil(h, id, (s) => s.data.records.some((r) => r.step === 'logs-cancel-copy/start-copy'));
      const [task] = tasksInto(cluster, 'logs-cancel-copy-r');
      expect(task?.state, 'the copy task runs when the cancel is asked').toBe('running');
      // An accepted cancel is answered by the card the job rewrites, not by a private "Cancel requested".
      await h.click('alice', id, 'job_cancel');
      const final = await h.waitForJob(id, { until: 'completed' });
      expect(final.returnvalue.outcome, h.threadText(id)).toBe('cancelled');
      await h.slack.waitUntil(() => /cancelled at/.test(messageText(h.card(id)!)), { timeoutMs: 5000 });
      expect(h.slack.ephemerals(USERS.alice).map((e) => e.text ?? '').join('\n')).not.toMatch(/Cancel requested/);
      // Positive evidence that the copy was stopped, not that nothing happened for a while.
      expect(tasksInto(cluster, 'logs-cancel-copy-r').filter((t) => t.state === 'running')).toEqual([]);
      expect(task.status.canceled).toBeTruthy();
      expect(h.threadText(id)).toMatch(/Cancelled.*by <@U0ALICE>/);
    } finally {
      cluster.knobs.reindexDocsPerSec = rate;
    }
    expect(leftovers(cluster, ['logs-cancel-copy'])).toEqual({ temps: [], missing: [], blocked: [] });
    expect(exactly(await watcherAudit(estate, before))).toEqual(asExpected(before));
  });

  it.each(['clone', 'reindex'] as const)('cancel after the source is deleted (%s path) finishes the restore from the copy and keeps the copy', async (via) => {
    const { cluster } = estate.es;
    const name = `logs-after-${via}`;
    cluster.createIndex(name, { shards: 2, replicas: 1, docs: 2_500 });
    const before = await countedThroughClient(estate.es.url, [name]);
    expect(before).toEqual({ [name]: 2_500 });
    await es.indices.updateAliases({ actions: [{ add: { index: name, alias: `${name}-read`, is_write_index: false } }] });
    const { final, thread } = await crashThenCancel(`reindex prod ${name} --restore ${via}`, `${name}/delete-source:after`);
    expect(final.data.records.map((r) => r.step)).toContain(`${name}/delete-source`);
    expect(await readable(name)).toMatchObject({ value: 2_500 });
    expect(cluster.indices.get(name).settings['index.blocks.write']).not.toBe('true');
    expect(Object.keys(await es.indices.getAlias({ name: `${name}-read` }))).toEqual([name]);
    // The copy is never deleted by cleanup once the source is gone; the thread says where it is. Both the restored
    // index and the kept copy hold every document counted before the job.
    const both = { ...before, [`${name}-r`]: before[name] };
    expect(exactly(await watcherAudit(estate, both))).toEqual(asExpected(both));
    expect(thread).toMatch(new RegExp(`${name}-r was kept as a second copy: delete it with \`DELETE /${name}-r\``));
  });

  it('cancel in the middle of a second copy replaces the partial rebuild with a clone of the verified copy', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-mid', { shards: 2, replicas: 1, docs: 6_000 });
    const before = await countedThroughClient(estate.es.url, ['logs-mid']);
    expect(before).toEqual({ 'logs-mid': 6_000 });
    const { thread } = await crashThenCancel('reindex prod logs-mid --restore reindex', 'logs-mid/restore-name:during');
    expect(thread).toMatch(/logs-mid: restored from its copy with `_clone` and verified \(6,000 docs\)/);
    expect(exactly(await watcherAudit(estate, before))).toEqual(asExpected(before));
    expect(cluster.indices.get('logs-mid').settings['index.blocks.write']).not.toBe('true');
  });
});
