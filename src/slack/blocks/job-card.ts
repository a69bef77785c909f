import { clusterTimeNote, formatDuration } from '../../config/duration';
import { button, context, esc, fields, type Message } from './text';

/**
 * What the job is doing right now, in the words of issue #12: a card must never claim more than happened.
 * "approved" is not a state (it is shown on the question); a rejection or a timeout is `stopped`.
 */
export type CardStatus = 'queued' | 'running' | 'waiting' | 'blocked' | 'completed' | 'failed' | 'cancelled' | 'stopped';

export interface JobCardView {
  jobId: string;
  title: string;
  cluster: string;
  requester: string;
  status: CardStatus;
  /** The number of the step the status is about, from stepNumber() — the same figure every message uses. */
  step: number;
  total: number;
  stepLabel?: string;
  /** `blocked`: the predicate that blocks. */
  blockedBy?: string;
  /** `stopped`: why ("rejected", "no decision in time"). */
  stoppedWhy?: string;
  /** Real time since the request: what the on-call engineer's own clock says. */
  elapsedRealMs: number;
  /** Set when the cluster's clock is accelerated (sandbox, tests): its elapsed time, labelled as such. */
  clusterTime?: { elapsedMs: number; speed: number };
  /** "about 40m left" while running; "estimated 1h 40m, took 1h 52m, +12%" at the end. */
  estimate?: string;
}

const ICON: Record<CardStatus, string> = {
  queued: '⏳',
  running: '🔄',
  waiting: '✋',
  blocked: '⛔',
  completed: '✅',
  failed: '❌',
  cancelled: '🛑',
  stopped: '🛑',
};

/** Plain unicode blocks, never inside backticks: a code span renders them as a pink box. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((Math.min(Math.max(done, 0), total) / total) * width) : 0;
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** "step 17 of 32": the one wording; `step` comes from stepNumber(). */
export function stepOf(step: number, total: number): string {
  return total > 0 ? `step ${Math.min(step, total)} of ${total}` : 'planning';
}

/** One line that says what actually happened, e.g. "blocked by `no_primary_unassigned` at Terminate es-data-3 (step 17 of 32)". */
export function cardState(v: JobCardView): string {
  const label = v.stepLabel ? ` *${esc(v.stepLabel)}*` : '';
  const where = v.total > 0 ? ` (${stepOf(v.step, v.total)})` : '';
  switch (v.status) {
    case 'queued':
      return 'queued';
    case 'running':
      return v.total > 0 ? `running ${stepOf(v.step, v.total)}:${label}` : 'planning';
    case 'waiting':
      return `waiting for approval of${label || ' the next step'}${where}`;
    case 'blocked':
      return `blocked by \`${esc(v.blockedBy ?? 'a safety predicate')}\` at${label}${where}`;
    case 'completed':
      return `completed (${v.total} of ${v.total} steps)`;
    case 'failed':
      return `failed at${label}${where}`;
    case 'cancelled':
      return `cancelled at${label}${where}`;
    case 'stopped':
      return `stopped (${esc(v.stoppedWhy ?? 'rejected')}) at${label}${where}`;
  }
}

/** The thread's parent message, edited in place as the job moves. */
export function jobCard(v: JobCardView): Message {
  const finished = ['completed', 'failed', 'cancelled', 'stopped'].includes(v.status);
  const state = cardState(v);
  const done = v.status === 'completed' ? v.total : Math.max(0, v.step - 1);
  const clock = v.clusterTime ? clusterTimeNote(v.clusterTime.elapsedMs, v.clusterTime.speed) : '';
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: `${ICON[v.status]} ${v.title}`.slice(0, 150) } },
    fields({ Cluster: `\`${esc(v.cluster)}\``, 'Requested by': `<@${v.requester}>`, Status: `${ICON[v.status]} ${state}` }),
    context(
      [`${progressBar(done, v.total)} ${v.total > 0 ? `${done}/${v.total}` : ''}`.trim(), `elapsed ${formatDuration(v.elapsedRealMs)}${clock}`, v.estimate ?? '', `job \`${esc(v.jobId)}\``]
        .filter(Boolean)
        .join(' · '),
    ),
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
  return { text: `${v.title}: ${state.replace(/\*/g, '')}`, blocks };
}
