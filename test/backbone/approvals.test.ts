import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoKey } from '../fixtures/demo-job';
import type { Harness } from '../helpers/harness';
import { OPS_CHANNEL, USERS } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { messageText } from '../../sim/slack';
import { startDemoHarness } from './demo-harness';

describe('approvals', () => {
  let h: Harness;
  let redis: Redis;
  let current: string | undefined;
  beforeAll(async () => {
    // Approval timeouts are real time: 24h cannot run out while a test clicks under load.
    // predicateWait 10m is 1 real second, so the override question comes quickly.
    h = await startDemoHarness({ speed: 600, config: { access: { approvalTimeout: '24h' }, worker: { predicateWait: '10m', predicatePoll: '30s' } } });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });
  afterEach(async () => {
    const s = current ? await h.job(current) : undefined;
    if (current && s && !['completed', 'failed'].includes(s.state)) {
      await h.command('bob', `cancel ${current}`);
      await h.waitForJob(current, { until: 'finished' });
    }
    current = undefined;
    await redis.del(demoKey(h.prefix, 'effect:1'), demoKey(h.prefix, 'effect:2'), demoKey(h.prefix, 'cleanup'), demoKey(h.prefix, 'gate'));
  });

  const start = async (user: 'alice' | 'bob', text: string) => (current = jobIdIn(await h.command(user, text)));

  it('a rejection stops the job safely: nothing destroyed, cleanup ran, the message says who', async () => {
    const id = await start('alice', 'demo prod --items 1 --prepare-ms 100');
    expect(await h.reject('bob', id)).toMatch(/Rejected/);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('rejected');
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    expect(await redis.get(demoKey(h.prefix, 'cleanup'))).toBe('rejected');
    expect(h.threadText(id)).toMatch(/Rejected by <@U0BOB>/);
    // The rewritten question says what was decided and what follows, never ✅ or 🛑 as if something had run.
    const question = h.thread(id).find((m) => /Rejected by <@U0BOB>/.test(m.text))!;
    expect(question.text).toMatch(/^✋ Rejected by <@U0BOB> \(<!date[^>]+>\): destroy item 1 \(1 effect\) — will not run; the job stops in a safe state$/);
    expect(messageText(question)).not.toMatch(/✅|🛑/);
  });

  it('enforces approvers and the two-person rule, and keeps waiting for a valid click', async () => {
    // bob is an approver, but not of his own request.
    const id = await start('bob', 'demo prod --items 1 --prepare-ms 100');
    await h.waitForApproval(id);
    expect(await h.clickApproval('bob', id, 'approval_approve')).toMatch(/Two-person rule/);
    expect(await h.clickApproval('carol', id, 'approval_approve')).toMatch(/Only approvers/);
    // Neither click was recorded: the job still waits on the same open question.
    const parked = await h.waitForJob(id, { until: 'parked' });
    expect(parked.state).toBe('delayed');
    expect(parked.data.pendingApproval?.postedTs).toBeTruthy();
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    expect(await h.approve('dave', id)).toMatch(/Approved/);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
  });

  it('no decision before the timeout means rejected (the safe default), and says so; a later click changes nothing', async () => {
    // Its own bot with a 1-second timeout: approval timeouts are real time (the clock's speed does not shorten them).
    const t = await startDemoHarness({ speed: 600, config: { access: { approvalTimeout: '1s' } } });
    try {
      const id = jobIdIn(await t.command('alice', 'demo prod --items 1 --prepare-ms 100'));
      const s = await t.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
      expect(s.returnvalue.outcome).toBe('approval-timeout');
      expect(s.data.records.map((r) => r.step)).toEqual(['plan', 'item-1/prepare']);
      expect(await redis.get(demoKey(t.prefix, 'effect:1'))).toBeNull();
      expect(await redis.get(demoKey(t.prefix, 'cleanup'))).toBe('approval-timeout');
      expect(t.threadText(id)).toMatch(/no decision .*before the deadline/i);

      // The question, closed by the timeout; a client still showing its first render offers the buttons again.
      const question = t.thread(id).find((m) => /Rejected: no decision/.test(messageText(m)));
      expect(question, t.threadText(id)).toBeDefined();
      const asked = question!.revisions.find((r) => JSON.stringify(r.blocks ?? []).includes('approval_approve'));
      expect(asked, 'the question was posted with buttons before it timed out').toBeDefined();
      const closed = { text: question!.text, blocks: structuredClone(question!.blocks) };
      t.slack.workspace.edit(question!, t.slack.workspace.bot, { blocks: asked!.blocks }, false);
      const late = await t.slack.clickButton({ user: USERS.dave, channel: OPS_CHANNEL, messageTs: question!.ts, actionId: 'approval_approve' });
      expect(late.status).toBe(200);
      const answer = await t.slack.waitUntil(() => t.slack.ephemerals(USERS.dave).at(-1), { timeoutMs: 10_000, what: 'the answer to a late click' });
      expect(answer.text).toMatch(/has finished|Already decided: rejected by the timeout/);
      const after = (await t.job(id))!;
      expect(after.state).toBe('completed');
      expect(after.returnvalue.outcome).toBe('approval-timeout');
      expect(after.data.records).toEqual(s.data.records);
      expect(await redis.get(demoKey(t.prefix, 'effect:1'))).toBeNull();
      expect(closed.text).toMatch(/Rejected: no decision/);
    } finally {
      await t.close();
    }
  });

  it('a button from an older step, or of a finished job, does nothing but say so', async () => {
    const id = await start('alice', 'demo prod --items 2 --prepare-ms 100');
    const first = await h.waitForApproval(id);
    const oldBlocks = structuredClone(first.blocks);
    expect(await h.approve('bob', id)).toMatch(/Approved/);
    const second = await h.waitForApproval(id); // item 2's question
    expect(second.ts).not.toBe(first.ts);
    // Put the first question's buttons back, as a client still showing the old render would offer them.
    h.slack.workspace.edit(first, h.slack.workspace.bot, { blocks: oldBlocks }, false);
    const stale = await h.slack.clickButton({ user: USERS.bob, channel: OPS_CHANNEL, messageTs: first.ts, actionId: 'approval_approve' });
    expect(stale.status).toBe(200);
    await h.slack.waitUntil(() => h.slack.ephemerals(USERS.bob).find((e) => /older step|Already decided: approved by <@U0BOB>/.test(e.text)), { timeoutMs: 5000 });
    // The stale click did not answer item 2's question: it is still open, nothing of item 2 was destroyed.
    const still = (await h.job(id))!;
    expect(still.data.pendingApproval?.postedTs).toBe(second.ts);
    expect(await redis.get(demoKey(h.prefix, 'effect:2'))).toBeNull();
    expect(await h.approve('bob', id)).toMatch(/Approved/);
    await h.waitForJob(id, { until: 'completed' });
    const seen = h.slack.ephemerals(USERS.bob).length;
    await h.slack.clickButton({ user: USERS.bob, channel: OPS_CHANNEL, messageTs: first.ts, actionId: 'approval_approve' });
    await h.slack.waitUntil(() => h.slack.ephemerals(USERS.bob).slice(seen).find((e) => /has finished/.test(e.text)), { timeoutMs: 5000 });
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:2')))).toBe(1);
  });

  it('a failing safety predicate is named in the thread and needs an explicit, audited override', async () => {
    await redis.set(demoKey(h.prefix, 'gate'), 'closed');
    const id = await start('alice', 'demo prod --items 1 --prepare-ms 100');
    expect(await h.approve('bob', id)).toMatch(/Approved/);
    await h.waitForThread(id, /blocked by `demo_gate_open`: the demo gate key is set to closed/);
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    // After predicateWait, an approver is asked to override that one predicate.
    await h.slack.waitUntil(() => /override safety predicate `demo_gate_open`/.test(h.threadText(id)), { timeoutMs: 20_000 });
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    // The question records the button pressed, not a generic "Approved".
    expect(await h.approve('dave', id)).toMatch(/“Override demo_gate_open” chosen by <@U0DAVE>/);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(s.data.overrides['item-1/destroy:demo_gate_open']).toMatchObject({ approved: true, by: USERS.dave });
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
    expect(h.threadText(id)).toMatch(/`demo_gate_open` overridden for this step by <@U0DAVE>/);
  });

  it('the card\'s Cancel button stops a job parked on an approval at once, and voids the question; only a refused cancel gets a private reply', async () => {
    const id = await start('alice', 'demo prod --items 1 --prepare-ms 100');
    const question = await h.waitForApproval(id);
    const card = h.card(id)!;
    const liveBlocks = structuredClone(card.blocks);
    const ephemerals = (user: keyof typeof USERS) => h.slack.ephemerals(USERS[user]).map((e) => e.text ?? '');
    const clickCancel = async (user: keyof typeof USERS) => {
      const r = await h.slack.clickButton({ user: USERS[user], channel: OPS_CHANNEL, messageTs: card.ts, actionId: 'job_cancel' });
      expect(r.status).toBe(200);
    };
    const privateReply = (user: keyof typeof USERS, after: number) =>
      h.slack.waitUntil(() => ephemerals(user).slice(after)[0], { timeoutMs: 10_000, what: `a private reply to ${user}'s cancel` });
    await h.waitForJob(id, { until: 'parked' });
    // carol is neither the requester nor an approver: refused, told why in private, and the job goes on waiting.
    const carolBefore = ephemerals('carol').length;
    await clickCancel('carol');
    expect(await privateReply('carol', carolBefore)).toMatch(/⛔ Only the requester \(<@U0ALICE>\) or an approver can cancel/);
    expect((await h.job(id))!.data.pendingApproval?.postedTs).toBe(question.ts);
    // alice's cancel is accepted: the card the job rewrites is the answer, no ephemeral.
    const aliceBefore = ephemerals('alice').length;
    await clickCancel('alice');
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 10_000 });
    expect(s.returnvalue.outcome).toBe('cancelled');
    expect(await redis.get(demoKey(h.prefix, 'cleanup'))).toBe('cancelled');
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    await h.slack.waitUntil(() => /no longer asked/.test(messageText(h.thread(id).find((m) => m.ts === question.ts)!)), { timeoutMs: 5000 });
    await h.slack.waitUntil(() => /cancelled at/.test(messageText(h.card(id)!)), { timeoutMs: 5000 });
    expect(h.threadText(id)).toMatch(/Cancelled.*by <@U0ALICE>/);
    await new Promise((r) => setTimeout(r, 300));
    expect(ephemerals('alice').slice(aliceBefore)).toEqual([]);
    // A client still showing the live card offers Cancel on the finished job: refused, in private.
    h.slack.workspace.edit(card, h.slack.workspace.bot, { blocks: liveBlocks }, false);
    const late = ephemerals('alice').length;
    await clickCancel('alice');
    expect(await privateReply('alice', late)).toMatch(/has already finished \(completed\); nothing to cancel/);
  });
});
