import { afterEach, describe, expect, it } from 'vitest';
import { seedWatchedEstate, TARGET, type WatchedEstate } from '../../../sim/seed/watched-upgrade-seed';
import { driveThroughCrashes, driveToEnd, type DriveResult } from '../../helpers/drive-job';
import { startHarness, type Harness, type HarnessOptions } from '../../helpers/harness';
import { jobIdIn } from '../../helpers/job-id';

let seeded: WatchedEstate | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await seeded?.close();
  h = undefined;
  seeded = undefined;
});

async function bot(o: Partial<HarnessOptions> = {}): Promise<Harness> {
  seeded = await seedWatchedEstate();
  h = await startHarness({ estate: seeded.estate, config: { worker: { predicateWait: '60m' } }, clusterConfig: { upgrade: { pollInterval: '1s' } }, ...o });
  await seeded.start();
  return h;
}

/** Graded by the watcher (public APIs only): never red, at most one node out, nothing missing, one termination activity per node. */
async function assertUpgraded(s: WatchedEstate, r: DriveResult, nodes: number): Promise<void> {
  expect(r.final.returnvalue?.outcome, `${r.final.failedReason}\n${h!.threadText(r.jobId)}`).toBe('completed');
  const w = await s.finish();
  expect(w.violations, w.documentsLine).toEqual([]);
  expect(w.report.maxUnassignedPrimaries).toBe(0);
  expect(w.report.maxNodesOut).toBeLessThanOrEqual(1);
  // A node was seen out: the watcher looked often enough to see each replacement's gap.
  expect(w.report.maxNodesOut).toBe(1);
  expect(w.missingDocs, JSON.stringify(w.audit)).toBe(0);
  expect(w.writes.unresolved).toBe(0);
  // Documents were acknowledged during the upgrade, so "nothing missing" covers writes while nodes were out.
  expect(Object.values(w.writes.acked).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
  const terminated = w.terminated;
  expect(terminated).toHaveLength(nodes);
  expect(new Set(terminated).size).toBe(nodes);
  for (const id of terminated) expect(r.final.returnvalue.summary).toContain(id);
  expect(r.asked.map((a) => a.purpose)).toEqual(Array(nodes).fill('run'));
}

describe('rolling upgrade on the simulated estate (3 masters, 6 data, 7.17 → 8.15, documents arriving)', () => {
  it('replaces every node, one at a time, data first, never red, no document lost', async () => {
    await bot({ worker: 'in-process' });
    const id = jobIdIn(await h!.command('alice', 'upgrade prod'));
    const r = await driveToEnd(h!, id, { timeoutMs: 55_000 });
    await assertUpgraded(seeded!, r, 9);
    expect(seeded!.estate.es.cluster.nodes().map((n) => n.version)).toEqual(Array(9).fill(TARGET));
    const thread = h!.threadText(id);
    expect(thread).toMatch(/Kibana may refuse to work/);
    expect(r.final.returnvalue.summary).toMatch(/9 nodes replaced in/);
    const order = r.final.data.records.filter((x) => x.step.endsWith('/terminate')).map((x) => x.step.split('/')[0]);
    expect(order.slice(0, 6).every((n) => n.startsWith('es-data'))).toBe(true);
    expect(order.slice(6).every((n) => n.startsWith('es-master'))).toBe(true);
  }, 60_000);

  it('resumes after a SIGKILL at a sample of boundaries (every step kind and phase), terminating no instance twice', async () => {
    // Each step kind at least once, each phase at least once; terminate:ran is upgrade-failures' subject.
    const crashes = [
      'plan:ran',
      'es-data-2/drain:during',
      'es-data-2/drain:after',
      'es-data-2/terminate:before',
      'es-data-2/await-leave:after',
      'es-data-2/await-replacement:during',
      'es-data-2/restore:ran',
      'es-data-2/await-green:before',
      'es-master-2/terminate:after',
      'es-master-2/await-replacement:after',
      'report:before',
    ];
    await bot({ startWorker: false });
    await h!.startWorker({ crashAt: crashes[0] });
    const id = jobIdIn(await h!.command('alice', 'upgrade prod --node es-data-2,es-master-2'));
    const r = await driveThroughCrashes(h!, id, crashes, { timeoutMs: 110_000 });
    const report = `fired: ${r.fired.join(', ')}; missed: ${r.missed.join(', ')}`;
    await assertUpgraded(seeded!, r, 2);
    expect(r.missed.filter((c) => c.includes('/terminate:')), report).toEqual([]);
    expect(r.fired.length, report).toBeGreaterThanOrEqual(8);
    const versions = Object.fromEntries(seeded!.estate.es.cluster.nodes().map((n) => [n.name, n.version]));
    expect(versions['es-data-2']).toBe(TARGET);
    expect(versions['es-master-2']).toBe(TARGET);
    // Crashes at before/after a terminate never make it look "already done": each was a real, single call.
    expect(r.final.data.records.some((x) => x.skipped && x.step.endsWith('/terminate'))).toBe(false);
  }, 120_000);
});
