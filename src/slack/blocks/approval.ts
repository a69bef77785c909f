import type { ApprovalRequest, Decision, PendingApproval } from '../../runner/types';
import { slackDate } from './slack-date';
import { button, context, esc, fields, section, type Message } from './text';

/** Who is asked: pinged in the question, and named so nobody else wonders whether their click counts. */
export interface Approvers {
  /** `<!subteam^S…>` and/or `<@U…>` mentions: the question notifies these people. */
  mention: string;
  /** "<@U0BOB>, <@U0DAVE> (not <@U0ALICE>, who asked: two-person rule)". */
  who: string;
}

export interface ApprovalView {
  jobId: string;
  approvalId: string;
  request: ApprovalRequest;
  approvers: Approvers;
  /** Real epoch ms: shown as a Slack date, so each reader sees it in their own time zone. */
  deadlineAt: number;
  approveLabel?: string;
  rejectLabel?: string;
  /** Shown above the action, e.g. the predicate being overridden. */
  preface?: string;
  /** Asked while an earlier step still runs: what it waits for. The deadline only starts when the job gets there. */
  aheadOf?: string;
}

/** Mentions and the "who may approve" line from the access config; `*` means anyone, which pings nobody. */
export function approversOf(access: { approvers: string[]; approverGroup?: string; requesterMayApprove: boolean }, requester: string): Approvers {
  const people = access.approvers.filter((a) => a !== '*' && (access.requesterMayApprove || a !== requester));
  const group = access.approverGroup ? `<!subteam^${access.approverGroup}>` : '';
  const mention = [group, ...people.map((u) => `<@${u}>`)].filter(Boolean).join(' ');
  const anyone = access.approvers.includes('*');
  const names = anyone ? 'anyone in this channel' : people.map((u) => `<@${u}>`).join(', ') || 'nobody (access.approvers is empty)';
  const twoPerson = access.requesterMayApprove ? '' : ` (not <@${requester}>, who asked: two-person rule)`;
  return { mention, who: `${names}${twoPerson}` };
}

/** The value every decision button carries: which job and which question, so stale clicks can be told apart. */
export function approvalButtonValue(jobId: string, approvalId: string): string {
  return JSON.stringify({ j: jobId, a: approvalId });
}

export function parseApprovalButtonValue(value: string | undefined): { jobId: string; approvalId: string } | undefined {
  try {
    const v = JSON.parse(value ?? '') as { j?: unknown; a?: unknown };
    return typeof v.j === 'string' && typeof v.a === 'string' ? { jobId: v.j, approvalId: v.a } : undefined;
  } catch {
    return undefined;
  }
}

export function approvalMessage(v: ApprovalView): Message {
  const value = approvalButtonValue(v.jobId, v.approvalId);
  const ping = v.approvers.mention ? `${v.approvers.mention} ` : '';
  return {
    // The notification text: it carries the mentions, so the approvers' phones light up at 3 a.m.
    text: `${ping}Approval needed: ${v.request.action}`,
    blocks: [
      ...(v.preface ? [section(v.preface)] : []),
      section(`${ping}*Approval needed* — ${esc(v.request.action)}`),
      ...(v.request.details && Object.keys(v.request.details).length ? [fields(v.request.details)] : []),
      context(
        v.aheadOf
          ? `Who may approve: ${v.approvers.who}. Asked ahead, while *${esc(v.aheadOf)}* runs: the step starts only after that and after its safety predicates pass. If nobody has decided when the job gets there, the usual deadline starts then.`
          : `Who may approve: ${v.approvers.who}. No decision by ${slackDate(v.deadlineAt)} means *rejected*; the job then stops in a safe state.`,
      ),
      {
        type: 'actions',
        block_id: 'approval_actions',
        elements: [
          button(v.approveLabel ?? 'Approve', 'approval_approve', value, 'primary'),
          button(v.rejectLabel ?? 'Reject', 'approval_reject', value, 'danger'),
        ],
      },
    ],
  };
}

/**
 * The verdict as people read it: the label of the button that was pressed ("Keep waiting" is not an
 * approval of anything), who pressed it and when (real time).
 */
export function verdictText(decision: Decision): string {
  if (decision.by === 'timeout') return `Rejected: no decision before the deadline (${slackDate(decision.at)})`;
  const plain = !decision.label || decision.label === (decision.approved ? 'Approve' : 'Reject');
  const what = plain ? (decision.approved ? 'Approved' : 'Rejected') : `“${esc(decision.label!)}”${decision.approved ? '' : ' (stop)'} chosen`;
  return `${what} by <@${decision.by}> (${slackDate(decision.at)})`;
}

/**
 * What follows from the decision, never the outcome: a decision is taken before the step runs (often long
 * before, when asked ahead), so the rewritten question must not read as done. Without `purpose` (the runner's
 * timeout rewrite passes none: after a timeout the job stops whatever the question was) the wording holds for
 * any question.
 */
function consequence(decision: Decision, purpose: PendingApproval['purpose'] | undefined): string {
  if (!decision.approved) return purpose === 'run' ? 'will not run; the job stops in a safe state' : 'the job stops in a safe state';
  switch (purpose) {
    case 'run':
      return 'will run after its safety checks pass; the thread says when it is done';
    case 'override':
      return 'the step runs once its other safety checks pass; the thread says when it is done';
    default:
      return 'the job goes on as chosen; the thread says what happens next';
  }
}

/**
 * The question once decided: "👍 Approved by @bob (today 6:06 PM): terminate i-… — will run after its safety checks pass".
 * It says the decision, not the outcome: no ✅ for an action that has not run (issue #12).
 */
export function decidedMessage(request: ApprovalRequest, decision: Decision, purpose?: PendingApproval['purpose']): Message {
  const verdict = verdictText(decision);
  const icon = decision.approved ? '👍' : '✋';
  const then = consequence(decision, purpose);
  return {
    text: `${icon} ${verdict}: ${request.action} — ${then}`,
    blocks: [
      section(`${icon} *${verdict}*: ${esc(request.action)} — ${then}`),
      ...(request.details && Object.keys(request.details).length ? [fields(request.details)] : []),
    ],
  };
}

/** A question nobody needs to answer any more (the job stopped first). */
export function closedQuestion(request: ApprovalRequest, why: string): Message {
  return { text: `${request.action}: ${why}`, blocks: [section(`~${esc(request.action)}~`), context(why)] };
}
