import { esc } from '../slack/blocks/text';
import type { StopReason } from './types';

const HEADING: Record<StopReason, string> = {
  cancelled: '🛑 *Cancelled*',
  rejected: '🛑 *Stopped: rejected*',
  'approval-timeout': '🛑 *Stopped: no decision in time*',
  blocked: '⛔ *Stopped: blocked by a safety predicate*',
  failed: '❌ *Failed*',
};

export interface StopReportInput {
  reason: StopReason;
  detail: string;
  jobId: string;
  requester: string;
  /** " at *Step* (step 3 of 9)", or '' before the first step. */
  where: string;
  /** What cleanup put back, line by line. */
  restored: string[];
  /** Set when cleanup was deliberately not run: why, and what is therefore left as it is. */
  notRestored?: string[];
}

/** The job's last message: what happened, what the cluster looks like now, what the reader can do. */
export function stopReport(r: StopReportInput): string {
  const next =
    r.notRestored?.length
      ? 'check the items above by hand before running the command again'
      : r.reason === 'failed'
        ? 'fix the cause named above, then run the command again: finished work is not repeated'
        : 'nothing is left half-done; run the command again when you are ready';
  return [
    `${HEADING[r.reason]}${r.where}: ${r.detail}${r.reason === 'failed' ? ` — <@${r.requester}>` : ''}`,
    r.restored.length ? `*State of the cluster now:*\n${r.restored.map((l) => `• ${l}`).join('\n')}` : '',
    r.notRestored?.length ? `*Not put back:*\n${r.notRestored.map((l) => `• ${l}`).join('\n')}` : '',
    `*What you can do:* ${next}. \`/elk status ${esc(r.jobId)}\` shows every step.`,
  ]
    .filter(Boolean)
    .join('\n');
}
