/**
 * Delivery on an accelerated clock (600×: quietPeriod 20 min = 2 s, reopenWindow 30 min = 3 s): one thread
 * per rule + query_key value, repeats coalesced into it with the parent redrawn in place, resolved after the
 * quiet period, "fired again" in the same thread within the reopen window, a new thread after it; and the
 * parent's buttons, checked against the stored group, each leaving a line in the thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageText, type StoredMessage } from '../../sim/slack';
import { USERS } from '../helpers/harness';
import { OPS_CHANNEL, spikeMatch, startAlertHarness, type AlertHarness } from './alert-harness';

const match = (i: number, host = 'api-1') => spikeMatch(i, { host, query_key: 'host', cluster: 'prod' });

describe('alert threads', () => {
  let a: AlertHarness;
  beforeAll(async () => {
    a = await startAlertHarness({ worker: 'in-process', speed: 600, alerts: { quietPeriod: '20m', reopenWindow: '30m', flushInterval: '300ms' } });
  });
  afterAll(async () => a?.close());

  const parentOf = (host: string) => a.parents().filter((m) => messageText(m).includes(`host=${host}`));
  const text = (m: StoredMessage) => messageText(m);
  const thread = (p: StoredMessage) => a.h.slack.thread(OPS_CHANNEL, p.ts);
  const threadText = (p: StoredMessage) => thread(p).slice(1).map(text).join('\n');
  const fresh = (p: StoredMessage) => a.h.slack.thread(OPS_CHANNEL, p.ts)[0];
  const waitFor = <T>(probe: () => T | undefined | false, what: string, timeoutMs = 15_000) => a.h.slack.waitUntil(probe, { timeoutMs, what });
  const click = async (p: StoredMessage, actionId: string, user: keyof typeof USERS = 'bob') => {
    const before = a.h.slack.ephemerals(USERS[user]).length;
    const r = await a.h.slack.clickButton({ user: USERS[user], channel: OPS_CHANNEL, messageTs: p.ts, actionId });
    expect(r.status).toBe(200);
    return (await waitFor(() => a.h.slack.ephemerals(USERS[user]).slice(before)[0], 'the answer to a click')).text;
  };

  it('groups repeats into one thread, updates the parent in place, resolves when quiet and reopens', async () => {
    for (let i = 0; i < 4; i++) expect((await a.post('/elastalert/post', match(i))).status).toBe(202);
    // Another query_key value is another thread.
    expect((await a.post('/elastalert/post', match(100, 'api-9'))).status).toBe(202);
    await waitFor(() => parentOf('api-1').length === 1 && /\*Alerts\*\n4\b/.test(text(parentOf('api-1')[0])), 'the api-1 parent counting 4 alerts');
    await waitFor(() => parentOf('api-9').length === 1, 'the api-9 parent');
    const p = parentOf('api-1')[0];
    expect(text(p)).toMatch(/Spike in 5xxs/);
    expect(text(p)).toMatch(/Spike:\* 9 now vs 3 before/);
    expect(text(p)).toMatch(/Status codes:.*500.*×1/);
    expect(text(p)).toMatch(/Top hosts:\* `api-1` ×4/);
    expect(text(p)).toMatch(/First seen\*\n2024-01-01 10:27:00 UTC/);
    expect(text(p)).toMatch(/Last seen\*\n2024-01-01 10:27:03 UTC/);
    expect(text(p)).toMatch(/Cluster\*\nprod/);
    // The repeats are in the thread (coalesced: fewer replies than repeats), the counts exact.
    await waitFor(() => /3 more alerts|more alert/.test(threadText(p)), 'a reply with the repeats');
    const counted = thread(p).slice(1).reduce((n, m) => n + Number(/(\d+) more alerts? for/.exec(m.text)?.[1] ?? 0), 0);
    expect(counted).toBe(3);

    expect(await click(p, 'alert_ack')).toBe('Acknowledged.');
    await waitFor(() => /Acknowledged\*\n<@U0BOB> at/.test(text(fresh(p))) && /Acknowledged by <@U0BOB>/.test(threadText(p)), 'the ack on the parent and in the thread');
    expect(JSON.stringify(fresh(p).blocks)).not.toContain('alert_ack');

    // Resolved after 20 quiet minutes (2 s real): parent redrawn, a line in the thread, no more buttons.
    await waitFor(() => /resolved \(quiet\)/.test(text(fresh(p))) && /Resolved\*: no alert for 20 min/.test(threadText(p)), 'resolution after the quiet period', 20_000);
    expect(JSON.stringify(fresh(p).blocks)).not.toContain('alert_resolve');

    // Fires again within the reopen window: same thread says so.
    expect((await a.post('/elastalert/post', match(10))).status).toBe(202);
    await waitFor(() => /Fired again/.test(threadText(p)) && /firing again \(1 time\)/.test(text(fresh(p))), '"fired again" in the same thread');
    expect(parentOf('api-1')).toHaveLength(1);

    // Resolved by hand, then after the reopen window a firing opens a new thread.
    expect(await click(fresh(p), 'alert_resolve')).toMatch(/^Resolved/);
    await waitFor(() => /resolved by <@U0BOB>/.test(text(fresh(p))) && /Resolved\* by <@U0BOB>/.test(threadText(p)), 'resolved by bob');
    await new Promise((r) => setTimeout(r, 3500));
    expect((await a.post('/elastalert/post', match(20))).status).toBe(202);
    await waitFor(() => parentOf('api-1').length === 2, 'a new thread after the reopen window');
    expect(a.h.slack.violations).toEqual([]);
  }, 60_000);

  it('silences: counted on the parent, not posted; unsilence', async () => {
    const host = 'api-5';
    expect((await a.post('/elastalert/post', match(200, host))).status).toBe(202);
    await waitFor(() => parentOf(host).length === 1, 'the api-5 parent');
    const p = parentOf(host)[0];
    expect(await click(p, 'alert_silence_resolved')).toBe('Silenced until resolved.');
    await waitFor(() => /silenced until resolved/.test(text(fresh(p))), 'the parent saying silenced');
    const repliesBefore = thread(p).length;
    for (let i = 201; i < 206; i++) expect((await a.post('/elastalert/post', match(i, host))).status).toBe(202);
    await waitFor(() => /\*Alerts\*\n6 \(5 while silenced\)/.test(text(fresh(p))), 'silenced alerts counted on the parent');
    // Only the decision line was posted, no alert replies.
    expect(thread(p).slice(repliesBefore).map(text).join('\n')).not.toMatch(/more alert/);
    expect(threadText(p)).toMatch(/Silenced until resolved by <@U0BOB>/);
    expect(await click(fresh(p), 'alert_unsilence', 'alice')).toBe('Unsilenced.');
    await waitFor(() => /Unsilenced by <@U0ALICE>/.test(threadText(p)), 'unsilence in the thread');
    await waitFor(() => JSON.stringify(fresh(p).blocks).includes('alert_silence_1h'), 'the parent offering Silence again');
    expect(await click(fresh(p), 'alert_silence_1h')).toBe('Silenced for 1 h.');
    await waitFor(() => /Silenced for 1 h by <@U0BOB>/.test(threadText(p)), 'the 1 h silence in the thread');
    // Every alert counted exactly once: 1 posted + 5 silenced, nothing left pending.
    const gid = JSON.parse((fresh(p).blocks as any[]).find((b) => b.type === 'actions').elements[0].value).g;
    expect(await a.groups.get(gid)).toMatchObject({ count: 6, silenced: 5, pending: 0 });
    expect(a.h.slack.violations).toEqual([]);
  }, 60_000);
});
