import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../helpers/harness';
import { seedWatchedEstate, type WatchedEstate } from '../../../sim/seed/watched-upgrade-seed';
import { startTransientFaults, type TransientFaults } from '../transient-faults';
import { driveUpgrade, expectSafeUpgrade, jobIdOf } from './drive-upgrade';

let h: Harness | undefined;
let seeded: WatchedEstate | undefined;
let roller: NodeJS.Timeout | undefined;
let faults: TransientFaults | undefined;
afterEach(async () => {
  clearInterval(roller);
  await faults?.close();
  faults = undefined;
  await h?.close();
  await seeded?.close();
  h = undefined;
  seeded = undefined;
});

describe('/elk upgrade terminates wait for what concerns the node, not for unrelated shard movement', () => {
  it('under continuous rebalancing onto each replacement, a rollover every 3 minutes, slow recoveries and transient 503s, 429s and AWS throttling: zero overrides, never red, nothing lost', async () => {
    // Slower recoveries (10 MB/s) keep each rebalance going for minutes.
    seeded = await seedWatchedEstate({ speed: 300, esKnobs: { recoveryBytesPerSec: 10 * 1024 * 1024 } });
    const { cluster } = seeded.estate.es;
    // The balancer moves shards onto every node that joins even while some replicas are unassigned (a real
    // setting): shards are on the move during nearly every terminate.
    cluster.updateClusterSettings({ 'cluster.routing.allocation.allow_rebalance': 'always' }, {});
    await seeded.start();
    roller = setInterval(() => void seeded!.writer.rollover(), seeded.estate.clock.toReal(3 * 60_000));
    faults = await startTransientFaults(seeded.estate, 3);
    h = await startHarness({ estate: seeded.estate, clusterConfig: faults.clusterConfig, config: { worker: { predicateWait: '2m' } } });
    const jobId = jobIdOf(await h.command('alice', 'upgrade prod'));
    faults.cycle();
    const movingAtTerminate: number[] = [];
    const r = await driveUpgrade(h, jobId, {
      timeoutMs: 100_000,
      onPoll: async () => {
        // A terminate the job has recorded (its call returned): the job's own account, not the simulator's.
        const recorded = (await h!.job(jobId))?.data.records.filter((x) => x.step.endsWith('/terminate')).length ?? 0;
        if (recorded <= movingAtTerminate.length) return;
        const hh = cluster.health();
        movingAtTerminate.push(hh.relocating_shards + hh.initializing_shards);
      },
    });
    expect(r.state, r.thread).toBe('completed');
    expect(r.overrides, r.thread).toEqual([]);
    expect(r.thread).not.toMatch(/override safety predicate/);
    // The scenario happened: shards were moving (elsewhere) when several of the nodes were terminated.
    expect(movingAtTerminate.filter((n) => n > 0).length, `moving at each terminate: ${movingAtTerminate.join(', ')}`).toBeGreaterThanOrEqual(3);
    expect(r.runApprovals).toBe(9);
    faults.stop();
    const hits = faults.hits();
    console.log(`upgrade-rebalance: faults answered to the bot ${JSON.stringify(hits)}`);
    expect(hits.es['error 503'], JSON.stringify(hits)).toBeGreaterThan(0);
    expect(hits.es['error 429'], JSON.stringify(hits)).toBeGreaterThan(0);
    expect(hits.aws.throttle, JSON.stringify(hits)).toBeGreaterThanOrEqual(3);
    clearInterval(roller);
    const w = await expectSafeUpgrade(seeded, r);
    expect(w.terminated).toHaveLength(9);
  }, 120_000);

  it('still refuses a node that holds the only started copy of a shard, and names the predicate', async () => {
    seeded = await seedWatchedEstate({ speed: 250 });
    const { cluster } = seeded.estate.es;
    const others = ['es-data-2', 'es-data-3', 'es-data-4', 'es-data-5', 'es-data-6'].join(',');
    // No replica, and pinned to es-data-1 by an index-level filter: the drain cannot move it either.
    cluster.createIndex('scratch', { shards: 1, replicas: 0, docs: 50, settings: { 'index.routing.allocation.exclude._name': others } });
    expect(cluster.getIndex('scratch').groups[0].copies[0].node).toBe('es-data-1');
    await seeded.start();
    h = await startHarness({ estate: seeded.estate, config: { worker: { predicateWait: '2m' } } });
    const jobId = jobIdOf(await h.command('alice', 'upgrade prod --node es-data-1'));
    await h.waitForJob(jobId, { until: 'parked', timeoutMs: 30_000 });
    await h.approve('bob', jobId); // the terminate itself
    const q = await h.waitForApproval(jobId, 30_000);
    const snap = await h.job(jobId);
    expect(snap?.data.pendingApproval?.purpose).toBe('override');
    expect(JSON.stringify(q.blocks)).toContain('every_shard_on_node_has_a_started_copy_elsewhere');
    await h.reject('bob', jobId);
    const s = await h.waitForJob(jobId, { until: 'finished', timeoutMs: 30_000 });
    expect(s.failedReason ?? s.returnvalue?.summary).toMatch(/blocked by `every_shard_on_node_has_a_started_copy_elsewhere`: es-data-1 holds the only started copy of 1 shard: scratch\[0\] \(primary, no replica configured\)/);
    expect(h.threadText(jobId)).toMatch(/is blocked by `every_shard_on_node_has_a_started_copy_elsewhere`/);
    const w = await seeded.finish();
    expect(w.terminated, 'no Auto Scaling termination activity').toEqual([]);
    expect(w.report.maxNodesOut).toBe(0);
    expect(w.audit.find((a) => a.index === 'scratch'), JSON.stringify(w.audit)).toMatchObject({ expected: 50, counted: 50, missing: 0 });
    expect(w.missingDocs, w.documentsLine).toBe(0);
  }, 120_000);
});
