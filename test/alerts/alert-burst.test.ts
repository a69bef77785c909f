/**
 * Bursts through the whole bot with the worker in a child process and Slack's realistic rate limits on:
 * 1,000 matches on one rule become a handful of Slack calls with exact counts; a SIGKILL of the delivering
 * worker in the middle of a burst loses no alert and posts nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sim/slack';
import { OPS_CHANNEL, spikeMatch, startAlertHarness, type AlertHarness } from './alert-harness';

const N = 1000;

describe('alert bursts', () => {
  let a: AlertHarness;
  beforeAll(async () => {
    a = await startAlertHarness({ realisticRateLimits: true, alerts: { flushInterval: '1s' } });
  });
  afterAll(async () => a?.close());

  const ruleParents = (rule: string) => a.parents().filter((m) => m.text.startsWith(`🔴 ${rule}`) || m.text.includes(` ${rule}: `));
  const send = async (rule: string, from: number, to: number) => {
    for (let i = from; i < to; i += 50) {
      const batch = Array.from({ length: Math.min(50, to - i) }, (_, k) => a.post('/elastalert/post', spikeMatch(i + k, { rule_name: rule })));
      for (const r of await Promise.all(batch)) expect(r.status).toBe(202);
    }
  };
  const gidOf = (p: StoredMessage) => JSON.parse((p.blocks as any[]).find((b) => b.type === 'actions').elements[0].value).g as string;
  const settled = async (rule: string, timeoutMs = 60_000) => {
    const p = await a.h.slack.waitUntil(() => ruleParents(rule)[0], { timeoutMs: 20_000, what: `the ${rule} parent` });
    const gid = gidOf(p);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const g = await a.groups.get(gid);
      const parent = a.h.slack.thread(OPS_CHANNEL, p.ts)[0];
      if (g && g.count === N && g.pending === 0 && g.ver === g.parentVer && !g.intent && parent.text.includes(`${N} alerts`)) return { p, g };
      if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify({ count: g?.count, pending: g?.pending, ver: g?.ver, parentVer: g?.parentVer })}\n${a.h.workerLog().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const repliedCount = (p: StoredMessage) => a.h.slack.thread(OPS_CHANNEL, p.ts).slice(1).reduce((n, m) => n + Number(/(\d+) more alerts? for/.exec(m.text)?.[1] ?? 0), 0);

  it('1,000 matches on one rule: exact counts, one thread, a handful of Slack calls', async () => {
    const callsBefore = a.h.slack.calls.length;
    await send('Burst rule', 0, N);
    const { p } = await settled('Burst rule');
    const calls = a.h.slack.calls.slice(callsBefore).filter((c) => c.method.startsWith('chat.'));
    expect(ruleParents('Burst rule')).toHaveLength(1);
    expect(repliedCount(p)).toBe(N - 1);
    // A handful: the parent, a reply and an update per flush interval while the burst lasted.
    expect(calls.length).toBeLessThanOrEqual(40);
    console.log(`burst: ${N} alerts → ${calls.length} Slack chat.* calls (${(calls.length / N).toFixed(3)} per alert; Elastalert's slack alerter: 1.0)`);
    expect(a.h.slack.violations).toEqual([]);
  }, 120_000);

  it('a SIGKILLed delivering worker mid-burst loses nothing and posts nothing twice', async () => {
    const rule = 'Crash rule';
    const sending = send(rule, 0, N);
    const first = await a.h.slack.waitUntil(() => ruleParents(rule)[0], { timeoutMs: 20_000, what: 'the crash rule parent' });
    await a.h.killWorker();
    const killedWhile = a.h.slack.calls.length;
    const atKill = (await a.groups.get(gidOf(first)))!.count;
    // Alerts accepted while no worker runs are persisted and delivered later.
    await sending;
    expect(atKill).toBeLessThan(N);
    console.log(`crash: worker SIGKILLed with ${atKill}/${N} alerts counted`);
    await a.h.startWorker();
    const { p, g } = await settled(rule, 90_000);
    expect(g.count).toBe(N);
    expect(ruleParents(rule)).toHaveLength(1);
    const replies = a.h.slack.thread(OPS_CHANNEL, p.ts).slice(1);
    // Posted once each: every reply carries its own block_id; a re-post after the crash would repeat one.
    const markers = replies.map((m) => (m.blocks as any[])[0].block_id);
    expect(new Set(markers).size).toBe(markers.length);
    expect(repliedCount(p)).toBe(N - 1);
    expect(a.h.slack.calls.length).toBeGreaterThan(killedWhile);
  }, 180_000);
});
