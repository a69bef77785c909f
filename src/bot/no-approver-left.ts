/** A request the bot refuses before queueing anything; its message says why and how to fix it. */
export class EnqueueRefused extends Error {}

/**
 * With the two-person rule on, a requester who is the only approver can never get a destructive step
 * approved: the job would plan, ask, and wait for a click nobody may give until the timeout rejects it.
 * Returns the refusal (why, and the two ways out), or undefined when somebody else may approve.
 */
export function noApproverLeft(access: { approvers: string[]; requesterMayApprove: boolean }, requester: string): string | undefined {
  if (access.requesterMayApprove || access.approvers.includes('*')) return undefined;
  if (access.approvers.some((a) => a !== requester)) return undefined;
  const why = access.approvers.length
    ? `you (<@${requester}>) are the only approver and the two-person rule is on (\`access.requesterMayApprove: false\`), so nobody could approve this job's steps`
    : 'nobody could approve this job\'s steps: `access.approvers` is empty';
  return `⛔ Not queued: ${why}. Ask an admin to add another approver to \`access.approvers\` (or set \`access.requesterMayApprove: true\`), or ask another approver to run the command.`;
}
