import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS_CHANNEL, USERS, type Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { messageText } from '../../sim/slack';
import { startDemoHarness } from '../backbone/demo-harness';
import { clickAndSee } from './click';

/** Issue #12, the approval question as the on-call engineer meets it at 3 a.m. */
describe('the approval question', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startDemoHarness({ speed: 60, config: { access: { approverGroup: 'S0ONCALL', approvalTimeout: '30m' } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('pings the approvers, says who may approve, shows a real-time deadline, and is broadcast to the channel', async () => {
    const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --prepare-ms 100'));
    const asked = Date.now();
    const question = await h.waitForApproval(id);
    const text = messageText(question);
    // The user group and each approver are mentioned (in the notification text too); the requester is not.
    expect(question.text).toMatch(/<!subteam\^S0ONCALL> <@U0BOB> <@U0DAVE> Approval needed/);
    expect(text).toMatch(/Who may approve: <@U0BOB>, <@U0DAVE> \(not <@U0ALICE>, who asked: two-person rule\)/);
    // The deadline is 30 real minutes away, as a Slack date: the clock runs 60× faster, the reader does not.
    const m = /<!date\^(\d+)\^\{date_short_pretty\} \{time\}\|[^>]+>/.exec(text);
    expect(m, text).not.toBeNull();
    const deadline = Number(m![1]) * 1000;
    expect(deadline).toBeGreaterThan(asked + 29 * 60_000);
    expect(deadline).toBeLessThan(Date.now() + 31 * 60_000);
    expect((await h.job(id))!.data.pendingApproval!.deadline).toBeLessThan(Date.now() + 31 * 60_000);
    // Broadcast: seen in the channel itself, not only inside the collapsed thread.
    expect(question.subtype).toBe('thread_broadcast');
    expect(h.slack.messages(OPS_CHANNEL).some((msg) => msg.ts === question.ts)).toBe(true);

    // A refused click is told why, privately; the question stays open.
    const refused = await clickAndSee(h, 'carol', question, 'approval_approve');
    expect(refused.ephemerals.join('\n')).toMatch(/Only approvers/);
    expect(JSON.stringify(question.blocks)).toMatch(/approval_approve/);

    // A click that counts is answered by the rewritten question, which everybody sees: no ephemeral.
    const approved = await clickAndSee(h, 'bob', question, 'approval_approve');
    expect(approved.message).toMatch(/Approved by <@U0BOB> \(<!date\^\d+\^/);
    // It says the decision, not the outcome: the destroy has not run yet, so no ✅ (issue #12).
    expect(approved.message).toMatch(/^👍 Approved by <@U0BOB> \(<!date[^>]+>\): destroy item 1 \(1 effect\) — will run after its safety checks pass/);
    expect(approved.message).not.toContain('✅');
    expect(approved.ephemerals).toEqual([]);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('completed');
    expect(h.slack.ephemerals(USERS.bob)).toEqual([]);
  });

  it('refuses at enqueue, with the fix, a job whose requester is the only approver under the two-person rule', async () => {
    const solo = await startDemoHarness({ speed: 60, config: { access: { approvers: [USERS.bob] } } });
    try {
      const cards = () => solo.slack.messages(OPS_CHANNEL).length;
      const reply = await solo.command('bob', 'demo prod --items 1');
      expect(reply).toMatch(/Not queued: you \(<@U0BOB>\) are the only approver and the two-person rule is on/);
      expect(reply).toMatch(/add another approver to `access.approvers`.*`access.requesterMayApprove: true`/);
      expect(cards()).toBe(0);
      // Someone else's request is fine: bob may approve it.
      expect(await solo.command('alice', 'demo prod --items 1 --prepare-ms 100')).toMatch(/^Started `/);
    } finally {
      await solo.close();
    }
  });
});
