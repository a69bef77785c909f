import type { ApprovalRequest, Decision } from '../../runner/types';
import { button, context, esc, fields, section, type Message } from './text';

export interface ApprovalView {
  jobId: string;
  approvalId: string;
  request: ApprovalRequest;
  /** Clock-time deadline, shown so nobody is surprised by the safe default. */
  deadlineText: string;
  approveLabel?: string;
  rejectLabel?: string;
  /** Shown above the action, e.g. the predicate being overridden. */
  preface?: string;
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
  return {
    text: `Approval needed: ${v.request.action}`,
    blocks: [
      ...(v.preface ? [section(v.preface)] : []),
      section(`*Approval needed* — ${esc(v.request.action)}`),
      ...(v.request.details && Object.keys(v.request.details).length ? [fields(v.request.details)] : []),
      context(`No decision by ${v.deadlineText} means *rejected*; the job then stops in a safe state.`),
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

export function decidedMessage(request: ApprovalRequest, decision: Decision, timeText: string): Message {
  const verdict = decision.by === 'timeout' ? `Rejected: no decision before the deadline (${timeText})` : `${decision.approved ? 'Approved' : 'Rejected'} by <@${decision.by}> at ${timeText}`;
  return {
    text: `${verdict}: ${request.action}`,
    blocks: [
      section(`${decision.approved ? '✅' : '🛑'} ${esc(request.action)}`),
      ...(request.details && Object.keys(request.details).length ? [fields(request.details)] : []),
      context(verdict),
    ],
  };
}

/** A question nobody needs to answer any more (the job stopped first). */
export function closedQuestion(request: ApprovalRequest, why: string): Message {
  return { text: `${request.action}: ${why}`, blocks: [section(`~${esc(request.action)}~`), context(why)] };
}
