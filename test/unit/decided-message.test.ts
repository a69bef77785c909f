import { describe, expect, it } from 'vitest';
import { approvalMessage, decidedMessage } from '../../src/slack/blocks/approval';
import { questionAction } from '../soak/question-action';
import { messageText } from '../../sim/slack';

const AT = Date.UTC(2026, 11, 1, 3, 12);
const DATE = `<!date^${AT / 1000}^{date_short_pretty} {time}|2026-12-01 03:12 UTC>`;
const terminate = { action: 'terminate i-0abc (es-data-3)', details: { Instance: 'i-0abc' } };

/** Issue #12: a decided question says the decision, not the outcome — it is rewritten before the step runs. */
describe('the decided question', () => {
  it('an approval of a destructive step says it will run after its checks, with no ✅', () => {
    const m = decidedMessage(terminate, { approved: true, by: 'U0BOB', at: AT }, 'run');
    expect(m.text).toBe(`👍 Approved by <@U0BOB> (${DATE}): terminate i-0abc (es-data-3) — will run after its safety checks pass; the thread says when it is done`);
    expect(messageText(m)).toContain('Instance');
    expect(messageText(m)).not.toContain('✅');
  });

  it('a rejection says the step will not run', () => {
    const m = decidedMessage(terminate, { approved: false, by: 'U0BOB', at: AT }, 'run');
    expect(m.text).toBe(`✋ Rejected by <@U0BOB> (${DATE}): terminate i-0abc (es-data-3) — will not run; the job stops in a safe state`);
    expect(messageText(m)).not.toMatch(/✅|🛑/);
  });

  it('a timeout (which knows no purpose) and the other questions keep to what follows', () => {
    const timeout = decidedMessage(terminate, { approved: false, by: 'timeout', at: AT });
    expect(timeout.text).toBe(`✋ Rejected: no decision before the deadline (${DATE}): terminate i-0abc (es-data-3) — the job stops in a safe state`);
    const override = decidedMessage({ action: 'override safety predicate `p` once, for: Terminate es-data-3' }, { approved: true, by: 'U0DAVE', at: AT, label: 'Override p' }, 'override');
    expect(override.text).toMatch(/^👍 “Override p” chosen by <@U0DAVE> \(<!date[^>]+>\): override safety predicate `p` once, for: Terminate es-data-3 — the step runs once its other safety checks pass/);
    const wait = decidedMessage({ action: 'cluster still yellow. Keep waiting another 30m?' }, { approved: true, by: 'U0DAVE', at: AT, label: 'Keep waiting' }, 'continue');
    expect(wait.text).toMatch(/^👍 “Keep waiting” chosen by <@U0DAVE> \(<!date[^>]+>\): cluster still yellow\. Keep waiting another 30m\? — the job goes on as chosen/);
    for (const m of [timeout, override, wait]) expect(messageText(m)).not.toContain('✅');
  });
});

/**
 * The soak's "no approval asked twice" counts questions by their action, live or decided: if the wording drifts
 * from what it parses, decided questions stop being counted and the check goes blind (it did once).
 */
describe('the soak reads every form of a question', () => {
  const action = 'terminate i-0abc (es-data-3, data, 7.17.25); the group will launch 8.15.0';
  const live = approvalMessage({ jobId: 'j', approvalId: 'a', request: { action }, approvers: { mention: '<!subteam^S1> <@U0BOB>', who: '<@U0BOB>' }, deadlineAt: AT });
  it.each([
    ['live, with mentions', live.text!],
    ['approved', decidedMessage({ action }, { approved: true, by: 'U0BOB', at: AT }, 'run').text!],
    ['rejected', decidedMessage({ action }, { approved: false, by: 'U0BOB', at: AT }, 'run').text!],
    ['overridden', decidedMessage({ action }, { approved: true, by: 'U0BOB', at: AT, label: 'Override p' }, 'override').text!],
    ['kept waiting', decidedMessage({ action }, { approved: true, by: 'U0BOB', at: AT, label: 'Keep waiting' }).text!],
    ['timed out', decidedMessage({ action }, { approved: false, by: 'timeout', at: AT }, 'run').text!],
  ])('%s', (_, text) => {
    expect(questionAction(text)).toBe(action);
  });
  it('and nothing else', () => {
    expect(questionAction(`✅ *Terminate es-data-3* — ${action}`)).toBeUndefined();
  });
});
