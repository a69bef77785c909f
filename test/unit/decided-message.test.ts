import { describe, expect, it } from 'vitest';
import { decidedMessage } from '../../src/slack/blocks/approval';
import { messageText } from '../../sim/slack';

const AT = Date.UTC(2026, 11, 1, 3, 12);
const DATE = `<!date^${AT / 1000}^{date_short_pretty} {time}|2026-12-01 03:12 UTC>`;
const terminate = { action: 'terminate i-0abc (es-data-3)', details: { Instance: 'i-0abc' } };

/** Issue #12: a decided question says the decision, not the outcome — it is rewritten before the step runs. */
describe('the decided question', () => {
  it('an approval of a destructive step says it will run after its checks, with no ✅', () => {
    const m = decidedMessage(terminate, { approved: true, by: 'U0BOB', at: AT }, 'run');
    expect(m.text).toBe(`👍 Approved by <@U0BOB> at ${DATE}: terminate i-0abc (es-data-3) — will run after its safety checks pass; the thread says when it is done`);
    expect(messageText(m)).toContain('Instance');
    expect(messageText(m)).not.toContain('✅');
  });

  it('a rejection says the step will not run', () => {
    const m = decidedMessage(terminate, { approved: false, by: 'U0BOB', at: AT }, 'run');
    expect(m.text).toBe(`✋ Rejected by <@U0BOB> at ${DATE}: terminate i-0abc (es-data-3) — will not run; the job stops in a safe state`);
    expect(messageText(m)).not.toMatch(/✅|🛑/);
  });

  it('a timeout (which knows no purpose) and the other questions keep to what follows', () => {
    const timeout = decidedMessage(terminate, { approved: false, by: 'timeout', at: AT });
    expect(timeout.text).toBe(`✋ Rejected: no decision before the deadline (${DATE}): terminate i-0abc (es-data-3) — the job stops in a safe state`);
    const override = decidedMessage({ action: 'override safety predicate `p` once, for: Terminate es-data-3' }, { approved: true, by: 'U0DAVE', at: AT, label: 'Override p' }, 'override');
    expect(override.text).toMatch(/^👍 “Override p” chosen by <@U0DAVE> at .*: override safety predicate `p` once, for: Terminate es-data-3 — the step runs once its other safety checks pass/);
    const wait = decidedMessage({ action: 'cluster still yellow. Keep waiting another 30m?' }, { approved: true, by: 'U0DAVE', at: AT, label: 'Keep waiting' }, 'continue');
    expect(wait.text).toMatch(/^👍 “Keep waiting” chosen by <@U0DAVE> at .* — the job goes on as chosen/);
    for (const m of [timeout, override, wait]) expect(messageText(m)).not.toContain('✅');
  });
});
