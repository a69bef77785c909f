import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../helpers/harness';
import { seedWatchedEstate, type WatchedEstate } from '../../../sim/seed/watched-upgrade-seed';
import { driveUpgrade, expectSafeUpgrade, jobIdOf } from './drive-upgrade';

let h: Harness | undefined;
let seeded: WatchedEstate | undefined;
afterEach(async () => {
  await h?.close();
  await seeded?.close();
  h = undefined;
  seeded = undefined;
});

describe('/elk upgrade and an hourly rollover while the drain fell back to enable=primaries', () => {
  it('the replica the job itself keeps unassigned does not block the terminate: zero overrides, never red, nothing lost', async () => {
    seeded = await seedWatchedEstate({ speed: 250 });
    h = await startHarness({ estate: seeded.estate, config: { worker: { predicateWait: '2m' } } });
    const { cluster } = seeded.estate.es;
    // A copy on every data node (like an enrich lookup index) leaves no node to drain to: every drain falls back.
    cluster.createIndex('lookup', { shards: 1, replicas: 5, docs: 100, settings: { 'index.auto_expand_replicas': '0-all' } });
    await seeded.start();
    const jobId = jobIdOf(await h.command('alice', 'upgrade prod'));
    const heldByOwnSetting: string[] = [];
    const r = await driveUpgrade(h, jobId, {
      timeoutMs: 100_000,
      beforeApprove: async (step) => {
        if (!step.endsWith('/terminate') || cluster.effectiveClusterSettings()['cluster.routing.allocation.enable'] !== 'primaries') return;
        // The hour turns right before the approval: the writer's first bulk creates the new index, whose replica
        // cannot allocate (enable=primaries, set by the job).
        const name = await seeded!.writer.rollover();
        const idx = cluster.indices.get(name);
        if (idx && cluster.indexHealth(idx).unassigned_shards > 0) heldByOwnSetting.push(`${step}: ${name}`);
      },
    });
    expect(r.overrides, r.thread).toEqual([]);
    expect(r.thread).not.toMatch(/override safety predicate/);
    // The scenario happened: at least one terminate was approved while a fresh index had its replica held by the job's setting.
    expect(heldByOwnSetting.length, r.thread).toBeGreaterThanOrEqual(1);
    expect(r.thread).toMatch(/Falling back to Elastic's rolling-restart procedure/);
    expect(r.runApprovals).toBe(9);
    const w = await expectSafeUpgrade(seeded, r);
    expect(w.terminated).toHaveLength(9);
    // The rolled-over indices were audited too: each got acknowledged writes and all of them are countable.
    for (const h of heldByOwnSetting) expect(w.audit.map((a) => a.index)).toContain(h.slice(h.indexOf(': ') + 2));
  }, 120_000);
});
