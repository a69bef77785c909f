import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../helpers/harness';
import { seedWatchedEstate, type WatchedEstate } from '../../../sim/seed/watched-upgrade-seed';
import { startTransientFaults, type TransientFaults } from '../transient-faults';
import { driveUpgrade, expectSafeUpgrade, jobIdOf } from './drive-upgrade';

let h: Harness | undefined;
let seeded: WatchedEstate | undefined;
let faults: TransientFaults | undefined;
afterEach(async () => {
  await faults?.close();
  await h?.close();
  await seeded?.close();
  h = undefined;
  seeded = undefined;
  faults = undefined;
});

const PERSISTENT = /⚠️ `es\.health` keeps failing \(ResponseError, HTTP 429\); retrying with backoff/;

describe('/elk upgrade and an hourly rollover while the drain fell back to enable=primaries', () => {
  it('the replica the job itself keeps unassigned does not block the terminate — under transient 503s, 429s and AWS throttling: zero overrides, never red, nothing lost', async () => {
    seeded = await seedWatchedEstate({ speed: 250 });
    faults = await startTransientFaults(seeded.estate, 8);
    // The bot (and only the bot) reaches Elasticsearch and AWS through the fault proxies.
    h = await startHarness({ estate: seeded.estate, clusterConfig: faults.clusterConfig, config: { worker: { predicateWait: '2m' } } });
    const { cluster } = seeded.estate.es;
    // A copy on every data node (like an enrich lookup index) leaves no node to drain to: every drain falls back.
    cluster.createIndex('lookup', { shards: 1, replicas: 5, docs: 100, settings: { 'index.auto_expand_replicas': '0-all' } });
    await seeded.start();
    const jobId = jobIdOf(await h.command('alice', 'upgrade prod'));
    faults.cycle();
    let persistent: Promise<number> | undefined;
    let before = 0;
    /** Thread messages (not rendered lines: a message's text and blocks both carry it) matching `re`. */
    const said = (re: RegExp) => h!.thread(jobId).filter((m) => re.test(m.text ?? '')).length;
    const heldByOwnSetting: string[] = [];
    const r = await driveUpgrade(h, jobId, {
      timeoutMs: 100_000,
      onPoll: async () => {
        // Once, mid-run: every health read refused until the runner has said in the thread that it persists.
        if (persistent) return;
        const records = (await h!.job(jobId))?.data.records ?? [];
        if (!records.some((x) => x.step === 'es-data-2/terminate')) return;
        before = said(PERSISTENT);
        persistent = faults!.persistent429(() => said(PERSISTENT) > before);
      },
      beforeApprove: async (step) => {
        if (!step.endsWith('/terminate') || !step.startsWith('es-data-')) return;
        // The terminate's question is asked ahead, while the drain still runs; it is answered only once the
        // drain is recorded, so the rollover lands after the fallback's enable=primaries and before the gate.
        const node = step.slice(0, step.indexOf('/'));
        const deadline = Date.now() + 60_000;
        for (;;) {
          const records = (await h!.job(jobId))?.data.records ?? [];
          if (records.some((x) => x.step === `${node}/drain`)) break;
          if (Date.now() > deadline) throw new Error(`${node}/drain not recorded within 60 s\n${h!.threadText(jobId)}`);
          await new Promise((res) => setTimeout(res, 25));
        }
        if (cluster.effectiveClusterSettings()['cluster.routing.allocation.enable'] !== 'primaries') return;
        // The hour turns right before the approval: the writer's first bulk creates the new index, whose replica
        // cannot allocate (enable=primaries, set by the job).
        const name = await seeded!.writer.rollover();
        const idx = cluster.indices.get(name);
        if (idx && cluster.indexHealth(idx).unassigned_shards > 0) heldByOwnSetting.push(`${node}: ${name}`);
      },
    });
    faults.stop();
    expect(r.overrides, r.thread).toEqual([]);
    expect(r.thread).not.toMatch(/override safety predicate/);
    // Every drain fell back (the lookup index leaves no room), and at every one of them a fresh index had its
    // replica held back by the job's own setting when its terminate was approved.
    const { data } = (await h.job(jobId))!;
    const drained = data.records.filter((x) => x.step.endsWith('/drain')).map((x) => x.step.replace('/drain', ''));
    // The job's own record of how each drain ended (drainMode 'restart': the enable=primaries fallback).
    const fallbacks = drained.filter((n) => (data.state[`node:${n}`] as { drainMode?: string } | undefined)?.drainMode === 'restart');
    expect(fallbacks).toEqual(['es-data-1', 'es-data-2', 'es-data-3', 'es-data-4', 'es-data-5', 'es-data-6']);
    expect(heldByOwnSetting.map((x) => x.slice(0, x.indexOf(':'))), r.thread).toEqual(fallbacks);
    expect(r.thread).toMatch(/Falling back to Elastic's rolling-restart procedure/);
    expect(r.runApprovals).toBe(9);
    // The transient faults happened, and the one that persisted was said in the thread.
    const hits = faults.hits();
    console.log(`upgrade-rollover: faults answered to the bot ${JSON.stringify(hits)}`);
    expect(hits.es['error 503'], JSON.stringify(hits)).toBeGreaterThan(0);
    expect(hits.es['error 429'], JSON.stringify(hits)).toBeGreaterThan(3);
    expect(hits.aws.throttle, JSON.stringify(hits)).toBeGreaterThanOrEqual(3);
    expect(await persistent).toBeGreaterThan(0);
    expect(said(PERSISTENT), `the persistent 429s were never reported\n${r.thread}`).toBeGreaterThan(before);
    // One line per call that kept failing, not one per failed attempt.
    const lines = said(/⚠️ `[\w.]+` keeps failing/);
    expect(lines).toBeGreaterThanOrEqual(1);
    expect(lines, r.thread).toBeLessThan((hits.es['error 429'] + (hits.es['error 503'] ?? 0)) / 3);
    const w = await expectSafeUpgrade(seeded, r);
    expect(w.terminated).toHaveLength(9);
    // The rolled-over indices were audited too: each got acknowledged writes and all of them are countable.
    for (const x of heldByOwnSetting) expect(w.audit.map((a) => a.index)).toContain(x.slice(x.indexOf(': ') + 2));
  }, 120_000);
});
