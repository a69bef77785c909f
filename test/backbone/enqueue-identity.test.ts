import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdIn } from '../helpers/job-id';
import { kindOfJobId } from '../../src/queues/names';
import { startEnqueueBench, type EnqueueBench } from './enqueue-fixture';

/** Every run has its own id and its own history entry; /elk status and /elk cancel work with those ids. */
describe('job identity and history', () => {
  let b: EnqueueBench;
  beforeAll(async () => {
    b = await startEnqueueBench({ config: { jobs: { history: { keepDays: 30, keepCount: 3 } } } });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('a dry run and the real run, and two dry runs in a row, each get their own id and stay listed apart', async () => {
    const dryReply = await b.h.command('alice', 'upgrade prod --dry-run');
    expect(dryReply).toMatch(/Upgrade plan \(dry run\) queued for `prod` as job upgrade-prod-\d{8}-\d{4}-[a-z0-9]{4}:/);
    const dry1 = jobIdIn(dryReply);
    expect(kindOfJobId(dry1)).toBe('upgrade');
    expect(await b.finishNext('upgrade', 'completed')).toBe(dry1);

    const real = jobIdIn(await b.h.command('alice', 'upgrade prod'));
    const dry2 = jobIdIn(await b.h.command('bob', 'upgrade prod --dry-run'));
    expect(new Set([dry1, real, dry2]).size).toBe(3);

    const listing = await b.h.command('carol', 'status');
    const [live, recent] = listing.split('*Recent runs*');
    expect(live).toMatch(/\*Running or waiting\*/);
    expect(live).toContain(`\`${real}\` — *waiting*`);
    expect(live).toContain(`\`${dry2}\` (dry run) — *waiting*`);
    expect(recent).toContain(`\`${dry1}\` (dry run) — *completed*`);
    expect(live).not.toContain(dry1);

    // Each id still answers for its own run.
    expect(await b.h.command('carol', `status ${dry1}`)).toMatch(new RegExp(`${dry1}\` \\(dry run\\) — \\*completed\\*`));
    expect(await b.h.command('carol', `status ${real}`)).toMatch(new RegExp(`${real}\` — \\*waiting\\*`));

    // Cancel by the new id; the run it names, and only it, is gone and the cluster is free.
    expect(await b.h.command('alice', `cancel ${real}`)).toMatch(new RegExp(`\`${real}\` was cancelled before it started`));
    expect(await b.lock.holder('prod')).toBeNull();
    expect(await b.h.command('carol', `status ${dry2}`)).toMatch(/\*waiting\*/);
    expect(await b.finishNext('upgrade', 'failed')).toBe(dry2);
  });

  it('a failed run does not replace a successful one: both are kept, each with its outcome', async () => {
    const ok = jobIdIn(await b.h.command('alice', 'reindex prod logs-a'));
    expect(await b.finishNext('reindex', 'completed')).toBe(ok);
    const bad = jobIdIn(await b.h.command('alice', 'reindex prod logs-a'));
    expect(bad).not.toBe(ok);
    expect(await b.finishNext('reindex', 'failed')).toBe(bad);
    expect(await b.h.command('carol', `status ${ok}`)).toMatch(/\*completed\*/);
    expect(await b.h.command('carol', `status ${bad}`)).toMatch(/\*failed\*[\s\S]*test worker: this run fails/);
    const recent = (await b.h.command('carol', 'status')).split('*Recent runs*')[1];
    expect(recent).toMatch(new RegExp(`${bad}\` — \\*failed\\*: test worker: this run fails`));
    expect(recent).toContain(`\`${ok}\` — *completed*`);
  });

  it('history keeps the newest jobs.history.keepCount runs of a kind, and drops older ones', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(jobIdIn(await b.h.command('alice', 'reindex prod logs-b --dry-run')));
      await b.finishNext('reindex', 'completed');
    }
    // keepCount is 3 per state: the earlier reindex runs of the test before and the first of these are pruned.
    expect(await b.queue('reindex').getJobCounts('completed')).toEqual({ completed: 3 });
    expect(await b.h.command('carol', `status ${ids[0]}`)).toMatch(new RegExp(`No job \`${ids[0]}\``));
    expect(await b.h.command('carol', `status ${ids[3]}`)).toMatch(/\*completed\*/);
    // Upgrade history is counted on its own queue: its completed dry run is still there.
    expect(await b.queue('upgrade').getJobCounts('completed')).toEqual({ completed: 1 });
  });

  it('history drops runs older than jobs.history.keepDays when a later run finishes, within keepCount', async () => {
    const upgrades = b.queue('upgrade');
    expect(await upgrades.getJobCounts('completed')).toEqual({ completed: 1 });
    const old = jobIdIn(await b.h.command('alice', 'upgrade prod --dry-run'));
    await b.finishNext('upgrade', 'completed');
    // Finished 31 days ago, as BullMQ records it (the completed set's score is the finish time): past keepDays 30.
    await b.redis.zadd(upgrades.keys.completed, 'XX', Date.now() - 31 * 86_400_000, old);
    const next = jobIdIn(await b.h.command('alice', 'upgrade prod --dry-run'));
    await b.finishNext('upgrade', 'completed');
    // Three completed with `next`, within keepCount 3: only its age can have removed `old`.
    expect(await b.h.command('carol', `status ${old}`)).toMatch(new RegExp(`No job \`${old}\``));
    expect(await b.h.command('carol', `status ${next}`)).toMatch(/\*completed\*/);
    expect(await upgrades.getJobCounts('completed')).toEqual({ completed: 2 });
  });
});
