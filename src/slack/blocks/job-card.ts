import { formatDuration } from '../../config/duration';
import { button, context, esc, fields, type Message } from './text';

export interface JobCardView {
  jobId: string;
  title: string;
  cluster: string;
  requester: string;
  status: 'queued' | 'running' | 'waiting for approval' | 'blocked' | 'completed' | 'failed' | 'cancelled' | 'rejected';
  step: number;
  total: number;
  stepLabel?: string;
  elapsedMs: number;
}

const ICON: Record<JobCardView['status'], string> = {
  queued: '⏳',
  running: '🔄',
  'waiting for approval': '✋',
  blocked: '⛔',
  completed: '✅',
  failed: '❌',
  cancelled: '🛑',
  rejected: '🛑',
};

export function progressBar(step: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((Math.min(step, total) / total) * width) : 0;
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** The thread's parent message, edited in place as the job moves. */
export function jobCard(v: JobCardView): Message {
  const finished = ['completed', 'failed', 'cancelled', 'rejected'].includes(v.status);
  const stepText = v.total > 0 ? `step ${Math.min(v.step, v.total)} of ${v.total}` : 'planning';
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: `${ICON[v.status]} ${v.title}`.slice(0, 150) } },
    fields({ Cluster: `\`${esc(v.cluster)}\``, 'Requested by': `<@${v.requester}>`, Status: v.status, Progress: stepText }),
    context(`\`${progressBar(v.step, v.total)}\` ${v.stepLabel ? esc(v.stepLabel) : ''} · elapsed ${formatDuration(v.elapsedMs)} · job \`${esc(v.jobId)}\``),
    ...(finished
      ? []
      : [
          {
            type: 'actions',
            block_id: 'job_card_actions',
            elements: [
              {
                ...button('Cancel', 'job_cancel', v.jobId, 'danger'),
                confirm: {
                  title: { type: 'plain_text', text: 'Cancel this job?' },
                  text: { type: 'mrkdwn', text: 'It stops at the next safe point and puts back what it changed.' },
                  confirm: { type: 'plain_text', text: 'Cancel job' },
                  deny: { type: 'plain_text', text: 'Keep running' },
                },
              },
            ],
          },
        ]),
  ];
  return { text: `${v.title}: ${v.status} (${stepText})`, blocks };
}
