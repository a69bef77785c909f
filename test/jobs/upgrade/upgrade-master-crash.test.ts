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

/**
 * SIGKILLs between a master's voting exclusion and its terminate: right after the exclusion took effect but
 * before the step was recorded, and right after it was recorded, before the terminate began.
 */
const CRASHES = ['es-master-2/withdraw-vote:ran', 'es-master-3/withdraw-vote:after'];

describe('/elk upgrade: a worker killed between a master\'s voting exclusion and its terminate', () => {
  it('resumes, counts the exclusion as its own, and finishes with zero overrides', async () => {
    seeded = await seedWatchedEstate({ speed: 300 });
    h = await startHarness({ estate: seeded.estate, config: { worker: { predicateWait: '2m' } } });
    await seeded.start();
    await h.restartWorker({ crashAt: CRASHES[0] });
    const jobId = jobIdOf(await h.command('alice', 'upgrade prod --only masters'));
    let next = 0;
    let exited = false;
    const arm = () => void h!.workerExited(120_000).then(() => void (exited = true), () => undefined);
    arm();
    const fired: string[] = [];
    const r = await driveUpgrade(h, jobId, {
      timeoutMs: 100_000,
      onPoll: async () => {
        if (!exited) return;
        exited = false;
        fired.push(CRASHES[next++]);
        await h!.restartWorker(next < CRASHES.length ? { crashAt: CRASHES[next] } : {});
        if (next < CRASHES.length) arm();
      },
    });
    expect(fired).toEqual(CRASHES);
    expect(r.overrides, r.thread).toEqual([]);
    expect(r.thread).not.toMatch(/override safety predicate/);
    const final = (await h.job(jobId))!;
    const records = final.data.records.map((x) => `${x.step}${x.skipped ? ' (skipped)' : ''}`);
    // The exclusion made before the first kill was found in place and not made again.
    expect(records).toContain('es-master-2/withdraw-vote (skipped)');
    expect(records.filter((x) => x.endsWith('/terminate'))).toEqual(['es-master-2/terminate', 'es-master-3/terminate', 'es-master-1/terminate']);
    expect(r.runApprovals).toBe(3);
    const w = await expectSafeUpgrade(seeded, r, (name) => name.startsWith('es-master-'));
    expect(w.terminated).toHaveLength(3);
    // Every exclusion the job made was cleared again.
    expect(seeded.estate.es.cluster.exclusions).toEqual([]);
  }, 120_000);
});
