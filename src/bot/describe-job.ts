import type { Job } from 'bullmq';
import { formatDuration } from '../config/duration';
import { stepNumber } from '../runner/step-number';
import type { JobData } from '../runner/types';
import { stepOf } from '../slack/blocks/job-card';
import { clip, esc } from '../slack/blocks/text';

export const LIVE_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

/** What a run came to, in the words of `/elk status`: the runner's outcome (rejected, cancelled …) beats "completed". */
export function outcomeOf(job: Job<JobData>, state: string): string {
  if (state === 'delayed' && job.data.pendingApproval) return 'waiting for approval';
  const outcome = (job.returnvalue as { outcome?: string } | null)?.outcome;
  if (state === 'completed' && outcome) return outcome;
  return state;
}

function isDryRun(job: Job<JobData>): boolean {
  return (job.data.args as { dryRun?: unknown } | undefined)?.dryRun === true;
}

/** One line per run; `full` adds the last steps, an open question and the failure reason. */
export function describeJob(job: Job<JobData>, state: string, now: number, full: boolean): string {
  const d = job.data;
  const progress = (job.progress ?? {}) as { total?: number };
  const live = LIVE_STATES.has(state);
  // People read real time; a job queued before requestedAtReal existed falls back to its cluster-clock stamp.
  const when = d.requestedAtReal !== undefined ? `requested by <@${d.requester}> ${formatDuration(Math.max(0, Date.now() - d.requestedAtReal))} ago` : `requested by <@${d.requester}> ${formatDuration(Math.max(0, now - d.requestedAt))} ago (cluster time)`;
  // The step being worked on, numbered as the card and the stop message number it (stepNumber(), the cursor
  // plus one): the progress record only counts finished steps. Its total is the job's step list after the plan.
  const step = live && progress.total ? `, ${stepOf(stepNumber(d), progress.total)}` : '';
  // A failure reason can quote anything (an ES error body): one line in a listing, more in the full view.
  const reason = state === 'failed' && job.failedReason && !full ? `: ${esc(clip(job.failedReason.split('\n')[0], 120))}` : '';
  const head = `• \`${job.id}\`${isDryRun(job) ? ' (dry run)' : ''} — *${outcomeOf(job, state)}*${reason}${step}, ${when}`;
  if (!full) return head;
  const lines = d.records.slice(-15).map((r) => `   ✅ ${esc(r.label)} — ${r.summary}`);
  if (d.pendingApproval) lines.push(`   ✋ waiting for approval: ${esc(d.pendingApproval.request.action)}`);
  if (job.failedReason) lines.push(`   ❌ ${esc(clip(job.failedReason, 1000))}`);
  return [head, ...lines].join('\n');
}
