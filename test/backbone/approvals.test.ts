import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoKey } from '../fixtures/demo-job';
import type { Harness } from '../helpers/harness';
import { OPS_CHANNEL, USERS } from '../helpers/harness';
import { redisUrl } from '../helpers/redis-url';
import { messageText } from '../../sim/slack';
import { startDemoHarness } from './demo-harness';

describe('approvals', () => {
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    // 30 clock minutes at 600x is 3 real seconds: long enough to click, short enough to test the timeout.
    h = await startDemoHarness({ speed: 600, config: { worker: { predicateWait: '10m', predicatePoll: '30s' } } });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });
  afterEach(async () => {
    const s = await h.job('demo-prod');
    if (s && !['completed', 'failed'].includes(s.state)) {
      await h.command('bob', 'cancel demo-prod');
      await h.waitForJob('demo-prod', { until: 'finished' });
    }
    await redis.del(demoKey(h.prefix, 'effect:1'), demoKey(h.prefix, 'effect:2'), demoKey(h.prefix, 'cleanup'), demoKey(h.prefix, 'gate'));
  });

  it('a rejection stops the job safely: nothing destroyed, cleanup ran, the message says who', async () => {
    await h.command('alice', 'demo prod --items 1 --prepare-ms 100');
    expect(await h.reject('bob', 'demo-prod')).toMatch(/Rejected/);
    const s = await h.waitForJob('demo-prod', { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('rejected');
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    expect(await redis.get(demoKey(h.prefix, 'cleanup'))).toBe('rejected');
    expect(h.threadText('demo-prod')).toMatch(/Rejected by <@U0BOB>/);
  });

  it('enforces approvers and the two-person rule, and keeps waiting for a valid click', async () => {
    // bob is an approver, but not of his own request.
    await h.command('bob', 'demo prod --items 1 --prepare-ms 100');
    await h.waitForApproval('demo-prod');
    expect(await h.clickApproval('bob', 'demo-prod', 'approval_approve')).toMatch(/Two-person rule/);
    expect(await h.clickApproval('carol', 'demo-prod', 'approval_approve')).toMatch(/Only approvers/);
    expect((await h.job('demo-prod'))!.state).toBe('delayed');
    expect(await h.approve('dave', 'demo-prod')).toMatch(/Approved/);
    const s = await h.waitForJob('demo-prod', { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
  });

  it('no decision before the timeout means rejected (the safe default), and says so', async () => {
    await h.command('alice', 'demo prod --items 1 --prepare-ms 100');
    await h.waitForApproval('demo-prod');
    const s = await h.waitForJob('demo-prod', { until: 'completed', timeoutMs: 20_000 });
    expect(s.returnvalue.outcome).toBe('approval-timeout');
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    expect(h.threadText('demo-prod')).toMatch(/no decision before the deadline/i);
    // A click after the deadline changes nothing.
    const approvalMsg = h.thread('demo-prod').find((m) => /Rejected: no decision/.test(messageText(m)));
    expect(approvalMsg).toBeDefined();
  });

  it('a button from an older step, or of a finished job, does nothing but say so', async () => {
    await h.command('alice', 'demo prod --items 2 --prepare-ms 100');
    const first = await h.waitForApproval('demo-prod');
    const oldBlocks = structuredClone(first.blocks);
    expect(await h.approve('bob', 'demo-prod')).toMatch(/Approved/);
    await h.waitForApproval('demo-prod'); // item 2's question
    // Put the first question's buttons back, as a client still showing the old render would offer them.
    h.slack.workspace.edit(first, h.slack.workspace.bot, { blocks: oldBlocks }, false);
    const stale = await h.slack.clickButton({ user: USERS.bob, channel: OPS_CHANNEL, messageTs: first.ts, actionId: 'approval_approve' });
    expect(stale.status).toBe(200);
    await h.slack.waitUntil(() => h.slack.ephemerals(USERS.bob).find((e) => /older step|Already decided: approved by <@U0BOB>/.test(e.text)), { timeoutMs: 5000 });
    expect(await h.approve('bob', 'demo-prod')).toMatch(/Approved/);
    await h.waitForJob('demo-prod', { until: 'completed' });
    await h.slack.clickButton({ user: USERS.bob, channel: OPS_CHANNEL, messageTs: first.ts, actionId: 'approval_approve' });
    await h.slack.waitUntil(() => h.slack.ephemerals(USERS.bob).find((e) => /has finished/.test(e.text)), { timeoutMs: 5000 });
    expect(Number(await redis.get(demoKey(h.prefix, 'effect:1')))).toBe(1);
  });

  it('a failing safety predicate is named in the thread and needs an explicit, audited override', async () => {
    await redis.set(demoKey(h.prefix, 'gate'), 'closed');
    await h.command('alice', 'demo prod --items 1 --prepare-ms 100');
    expect(await h.approve('bob', 'demo-prod')).toMatch(/Approved/);
    await h.waitForThread('demo-prod', /blocked by `demo_gate_open`: the demo gate key is set to closed/);
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    // After predicateWait, an approver is asked to override that one predicate.
    await h.slack.waitUntil(() => /override safety predicate `demo_gate_open`/.test(h.threadText('demo-prod')), { timeoutMs: 20_000 });
    expect(await h.approve('dave', 'demo-prod')).toMatch(/Approved/);
    const s = await h.waitForJob('demo-prod', { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(s.data.overrides['item-1/destroy:demo_gate_open']).toMatchObject({ approved: true, by: USERS.dave });
    expect(h.threadText('demo-prod')).toMatch(/`demo_gate_open` overridden for this step by <@U0DAVE>/);
  });

  it('the card\'s Cancel button stops a job parked on an approval at once, and voids the question', async () => {
    await h.command('alice', 'demo prod --items 1 --prepare-ms 100');
    const question = await h.waitForApproval('demo-prod');
    expect(await h.click('alice', 'demo-prod', 'job_cancel')).toMatch(/Cancel requested/);
    const s = await h.waitForJob('demo-prod', { until: 'completed', timeoutMs: 10_000 });
    expect(s.returnvalue.outcome).toBe('cancelled');
    expect(await redis.get(demoKey(h.prefix, 'cleanup'))).toBe('cancelled');
    expect(await redis.get(demoKey(h.prefix, 'effect:1'))).toBeNull();
    await h.slack.waitUntil(() => /no longer asked/.test(messageText(h.thread('demo-prod').find((m) => m.ts === question.ts)!)), { timeoutMs: 5000 });
    expect(h.threadText('demo-prod')).toMatch(/Cancelled.*by <@U0ALICE>/);
  });
});
