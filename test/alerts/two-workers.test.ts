/**
 * Many workers on one Redis: two delivery worker processes take the alerts of one new group at the same time,
 * and the channel gets one thread with the exact count, every alert shown once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_QUEUE } from '../../src/alerts/alert-queue';
import { OPS_CHANNEL, spikeMatch, startAlertHarness, type AlertHarness } from './alert-harness';

const N = 400;

describe('two delivery workers', () => {
  let a: AlertHarness;
  beforeAll(async () => {
    a = await startAlertHarness({ alerts: { flushInterval: '500ms' } });
    await a.h.startWorker();
  });
  afterAll(async () => a?.close());

  it('make one thread of one group received by both at once, with exact counts', async () => {
    await expect.poll(async () => (await a.queue.getWorkers()).length, { timeout: 20_000, message: `two workers on ${ALERT_QUEUE}` }).toBe(2);
    const rule = 'Twin rule';
    // All at once: both workers' 16 slots fill with the same new group before either has posted its parent.
    const sent = await Promise.all(Array.from({ length: N }, (_, i) => a.post('/elastalert/post', spikeMatch(i, { rule_name: rule }))));
    expect(sent.every((r) => r.status === 202)).toBe(true);

    const parents = () => a.parents().filter((m) => m.text.includes(`${rule}: `));
    const parent = await a.h.slack.waitUntil(() => parents().find((p) => p.text.includes(`${N} alerts`)), { timeoutMs: 60_000, what: `the ${rule} parent counting ${N}` });
    // Settled: no flush left to do, then exactly one parent.
    await expect.poll(async () => Object.values(await a.queue.getJobCounts('waiting', 'active', 'delayed')).reduce((x, y) => x + y, 0), { timeout: 30_000 }).toBe(0);
    // Two flush intervals more, for a second parent to show if one were coming.
    await new Promise((r) => setTimeout(r, 1000));
    expect(parents()).toHaveLength(1);
    const replies = a.h.slack.thread(OPS_CHANNEL, parent.ts).slice(1);
    const shown = replies.reduce((n, m) => n + Number(/(\d+) more alerts? for/.exec(m.text)?.[1] ?? 0), 0);
    expect(shown).toBe(N - 1);

    // Both processes counted alerts of the group (else this proves nothing about two workers).
    const jobs = await a.queue.getJobs(['completed'], 0, -1);
    const by = new Set(jobs.filter((j) => j.data.alert.rule === rule).map((j) => j.processedBy));
    expect(by.size, [...by].join(', ')).toBe(2);
  }, 120_000);
});
