import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobIdIn } from '../helpers/job-id';
import { startEnqueueBench, type EnqueueBench } from './enqueue-fixture';

/** Fifty people clicking at once: exactly one job is accepted, everyone else is told which job holds the cluster. */
describe('enqueueing under concurrency (50 signed slash commands at once, real Redis)', () => {
  let b: EnqueueBench;
  beforeAll(async () => {
    b = await startEnqueueBench();
  });
  afterAll(async () => {
    await b?.close();
  });
  afterEach(async () => {
    await b.reset();
  });

  const accepted = (replies: string[]) => replies.filter((r) => /as job \S+?:/.test(r));

  it('50 simultaneous dry runs: one is queued, 49 name it; no error, no cluster lock', async () => {
    const replies = await b.burst('upgrade prod --dry-run', 50);
    const ok = accepted(replies);
    expect(ok).toHaveLength(1);
    const id = jobIdIn(ok[0]);
    const refused = replies.filter((r) => r !== ok[0]);
    for (const r of refused) expect(r).toMatch(new RegExp(`already queued or running as job ${id};.*not queued`));
    expect(replies.join('\n')).not.toMatch(/ERR|went wrong/);
    expect(await b.queue('upgrade').getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')).toEqual({ waiting: 1, active: 0, delayed: 0, completed: 0, failed: 0 });
    // A dry run changes nothing, so it must leave the destructive lock to real runs.
    expect(await b.lock.holder('prod')).toBeNull();
  });

  it('50 simultaneous real upgrades: one takes the cluster lock under its own id, 49 are told it is busy with that job', async () => {
    const replies = await b.burst('upgrade prod', 50);
    const ok = accepted(replies);
    expect(ok).toHaveLength(1);
    const id = jobIdIn(ok[0]);
    expect(await b.lock.holder('prod')).toBe(id);
    for (const r of replies.filter((x) => x !== ok[0])) expect(r).toMatch(new RegExp(`\`prod\` is busy with job ${id}; the upgrade was not queued`));
    expect(await b.queue('upgrade').getJobCounts('waiting')).toEqual({ waiting: 1 });
    // The lock keeps every destructive kind out, not just a second upgrade.
    const reindex = await b.h.command('alice', 'reindex prod logs-2024.01.*');
    expect(reindex).toMatch(new RegExp(`busy with job ${id}; the reindex was not queued`));
    expect(await b.queue('reindex').getJobCounts('waiting')).toEqual({ waiting: 0 });
  });

  it('a dry run may look at the plan while a real run holds the cluster, but only one dry run of a kind at a time', async () => {
    const real = jobIdIn(await b.h.command('alice', 'upgrade prod'));
    const dry = await b.burst('upgrade prod --dry-run', 10);
    expect(accepted(dry)).toHaveLength(1);
    const dryId = jobIdIn(accepted(dry)[0]);
    expect(dryId).not.toBe(real);
    // A dry run of another kind is guarded separately.
    expect(await b.h.command('alice', 'reindex prod logs-2024.01.* --dry-run')).toMatch(/Dry run of reindex .* queued as `reindex-prod-/);
    expect(await b.lock.holder('prod')).toBe(real);
  });

  it('the dry-run guard does not outlive its job: once the run has ended, the next dry run is accepted', async () => {
    const first = jobIdIn(await b.h.command('alice', 'upgrade prod --dry-run'));
    expect(await b.h.command('alice', 'upgrade prod --dry-run')).toMatch(new RegExp(`already queued or running as job ${first}`));
    expect(await b.finishNext('upgrade', 'failed')).toBe(first);
    const second = await b.h.command('alice', 'upgrade prod --dry-run');
    expect(second).toMatch(/as job \S+?:/);
    expect(jobIdIn(second)).not.toBe(first);
  });

  it('a guard left by a bot that died between taking it and adding its job stops blocking after a short grace', async () => {
    // As a crashed enqueue leaves it: a holder id with no job, taken a minute ago (the guard's TTL is an hour).
    await b.redis.set(`${b.h.prefix}:guard:dry-run:upgrade:prod`, 'upgrade-prod-20200101-0000-dead', 'PX', 60 * 60_000 - 60_000);
    expect(await b.h.command('alice', 'upgrade prod --dry-run')).toMatch(/as job \S+?:/);
  });

  it('cancelling a queued dry run frees the guard and the cluster at once', async () => {
    const id = jobIdIn(await b.h.command('alice', 'upgrade prod --dry-run'));
    expect(await b.h.command('alice', `cancel ${id}`)).toMatch(/cancelled before it started/);
    expect(await b.h.command('alice', 'upgrade prod --dry-run')).toMatch(/as job \S+?:/);
  });
});
