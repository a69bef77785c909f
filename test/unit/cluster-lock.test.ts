import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ClusterLock } from '../../src/queues/cluster-lock';
import { ApprovalStore } from '../../src/runner/approval-store';
import { redisUrl, uniquePrefix } from '../helpers/redis-url';

const redis = new Redis(redisUrl());
afterAll(() => redis.quit());

describe('cluster lock (real Redis)', () => {
  it('lets one job hold a cluster, names the holder, renews for the holder only and expires', async () => {
    const lock = new ClusterLock(redis, uniquePrefix('lock'));
    expect(await lock.acquire('prod', 'upgrade-prod', 300)).toEqual({ ok: true });
    expect(await lock.acquire('prod', 'reindex-prod', 300)).toEqual({ ok: false, holder: 'upgrade-prod' });
    expect(await lock.acquire('prod', 'upgrade-prod', 300)).toEqual({ ok: true });
    await lock.release('prod', 'reindex-prod');
    expect(await lock.holder('prod')).toBe('upgrade-prod');
    await new Promise((r) => setTimeout(r, 400));
    // A crashed holder cannot keep the cluster forever.
    expect(await lock.acquire('prod', 'reindex-prod', 300)).toEqual({ ok: true });
  });
});

describe('approval store (real Redis)', () => {
  it('keeps the first decision: a later click or the timeout cannot flip it', async () => {
    const store = new ApprovalStore(redis, uniquePrefix('appr'));
    const first = await store.decide('job', 'step', { approved: true, by: 'U1', at: 1 });
    const late = await store.decide('job', 'step', { approved: false, by: 'timeout', at: 2 });
    expect(first.first).toBe(true);
    expect(late).toEqual({ first: false, decision: { approved: true, by: 'U1', at: 1 } });
  });
});
