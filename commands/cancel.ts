import type { Command } from './types';

export const cancelCommand: Command<{ jobId: string }> = {
  name: 'cancel',
  usage: '/elk cancel <job-id>',
  summary: 'Stop a job at its next safe point; it puts back what it changed (write blocks, allocation settings).',
  parse(words) {
    if (words.length !== 1) return { ok: false, error: 'name the job to cancel, e.g. `/elk cancel reindex-prod-20261201-0912-a3f4` (`/elk status` lists jobs)' };
    return { ok: true, value: { jobId: words[0] } };
  },
  run: (ctx, { jobId }) => ctx.cancel(jobId),
};
