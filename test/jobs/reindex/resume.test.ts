import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEstate } from '../../../sim/estate';
import { messageText } from '../../../sim/slack';
import { driveThroughCrashes, driveToEnd, driveUntil } from '../../helpers/drive-job';
import type { Harness } from '../../helpers/harness';
import { jobIdIn } from '../../helpers/job-id';
import { asExpected, countedThroughClient, exactly, leftovers, putLogsTemplate, startReindexBot, watcherAudit, type EstateForReindex } from './fixture';

const KNOBS = { refreshLagMs: 800, staleReadMs: 10_000, reindexDocsPerSec: 2_000 };
const DOCS = 3_000;

/**
 * Real SIGKILLs (ELK_CRASH_AT) at a sample of boundaries: every phase (before, during, ran = effect done but not
 * recorded, after), every destructive step right after its effect, and both ways of restoring the name. The
 * other step kinds are crashed at by reindex-e2e.test.ts; each restart costs seconds, so the two split the list.
 */
const CLONE_PATH = [
  'plan:after',
  'approve-run:before',
  'logs-crash-a/start-copy:ran',
  'logs-crash-a/follow-copy:during',
  'logs-crash-a/delete-source:ran',
  'logs-crash-a/restore-name:ran',
  'logs-crash-a/verify-restore:before',
  'logs-crash-a/delete-temp:ran',
];
const REINDEX_PATH = ['approve-run:after', 'logs-crash-c/restore-name:during'];

/** Approval messages for `action` in the thread (asked, then decided in place): one per question asked. */
const asked = (h: Harness, id: string, action: RegExp) => h.thread(id).filter((m) => action.test(messageText(m)) && /approv/i.test(JSON.stringify(m.blocks ?? ''))).length;

describe('reindex resumes after a SIGKILL at any step boundary (Slack emulator, BullMQ, worker processes)', () => {
  let estate: EstateForReindex;
  let h: Harness;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: 200, esKnobs: KNOBS })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
    h = await startReindexBot(estate, { startWorker: false });
  });
  afterAll(async () => {
    await h?.close();
    await estate?.close();
  });

  it.each([
    ['clone', ['logs-crash-a'], CLONE_PATH],
    ['reindex', ['logs-crash-c'], REINDEX_PATH],
  ] as const)('%s path: loses and duplicates nothing, leaves nothing behind, asks nothing twice', async (via, names, crashes) => {
    const { cluster } = estate.es;
    for (const n of names) cluster.createIndex(n, { shards: 2, replicas: 1, docs: DOCS });
    // What must survive: the sources as counted through the official client before the job.
    const before = await countedThroughClient(estate.es.url, [...names]);
    expect(Object.values(before)).toEqual(names.map(() => DOCS));
    await h.restartWorker({ crashAt: crashes[0] });
    const reply = await h.command('alice', `reindex prod ${names.join(',')} --restore ${via}`);
    expect(reply).toMatch(/queued as/);
    const id = jobIdIn(reply);
    const run = await driveThroughCrashes(h, id, [...crashes], { timeoutMs: 110_000 });
    const report = `fired: ${run.fired.join(', ')}; missed: ${run.missed.join(', ')}`;

    expect(run.final.returnvalue?.outcome, `${run.final.failedReason}\n${h.threadText(id)}`).toBe('completed');
    // A wait that ends while a worker restarts can slip past its point; the destructive ones never may.
    expect(run.missed.filter((c) => /delete-source|restore-name|delete-temp/.test(c)), report).toEqual([]);
    expect(run.fired.length, report).toBeGreaterThanOrEqual(crashes.length - 1);
    expect(exactly(await watcherAudit(estate, before))).toEqual(asExpected(before));
    expect(leftovers(cluster, [...names])).toEqual({ temps: [], missing: [], blocked: [] });
    // Every question was asked once, across all the workers: one to start, one per source delete.
    expect(run.asked.map((a) => a.step)).toEqual(['approve-run', ...names.map((n) => `${n}/delete-source`)]);
    expect(asked(h, id, /reindex \d+ ind\w+ \([\d,]+ docs\) on prod/)).toBe(1);
    for (const n of names) expect(asked(h, id, new RegExp(`delete ${n} \\([\\d,]+ documents\\)`))).toBe(1);
    if (run.fired.includes('logs-crash-a/delete-source:ran')) {
      // Killed after the delete, before its record: recognised as done, not repeated.
      expect(run.final.data.records.find((r) => r.step === 'logs-crash-a/delete-source')?.skipped).toBe(true);
    }
  }, 120_000);
});

describe('a copy task lost with its node', () => {
  let estate: EstateForReindex | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    await estate?.close();
  });

  it('is restarted (external versions) and the index is rebuilt without loss or duplicates', async () => {
    estate = (await startEstate({ masters: 3, data: 3, version: '8.15.0', speed: 100, esKnobs: { reindexDocsPerSec: 20 } })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
    const { cluster } = estate.es;
    // 20 docs/s: the copy still runs (400 clock seconds) when the test looks for it after the worker died.
    cluster.createIndex('logs-lost', { shards: 2, replicas: 1, docs: 8_000 });
    const before = await countedThroughClient(estate.es.url, ['logs-lost']);
    expect(before).toEqual({ 'logs-lost': 8_000 });
    h = await startReindexBot(estate, { startWorker: false });
    await h.startWorker({ crashAt: 'logs-lost/follow-copy:during' });
    const id = jobIdIn(await h.command('alice', 'reindex prod logs-lost'));
    let dead = false;
    void h.workerExited(60_000).then(() => void (dead = true), () => undefined);
    await driveUntil(h, id, () => dead);
    const task = [...cluster.tasks.running.values()][0] as { node: { spec: { name: string } } } | undefined;
    expect(task, 'the copy is still running when its node goes').toBeTruthy();
    cluster.stopNode(task!.node.spec.name);

    await h.restartWorker();
    const { final } = await driveToEnd(h, id);

    expect(final.returnvalue?.outcome, `${final.failedReason}\n${h.threadText(id)}`).toBe('completed');
    expect(h.threadText(id)).toMatch(/is gone with its node; restarted as/);
    expect(exactly(await watcherAudit(estate!, before))).toEqual(asExpected(before));
    expect(leftovers(cluster, ['logs-lost'])).toEqual({ temps: [], missing: [], blocked: [] });
  }, 90_000);
});
