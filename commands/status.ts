import type { Command } from './types';

export const statusCommand: Command<{ jobId?: string }> = {
  name: 'status',
  usage: '/elk status [job-id]',
  summary: 'Show a job\'s steps and state, or every recent job; answers from the job store, not Slack history.',
  parse(words) {
    if (words.length > 1) return { ok: false, error: 'give at most one job id, e.g. `/elk status upgrade-prod-20261201-0912-a3f4` (`/elk status` alone lists recent jobs)' };
    return { ok: true, value: { jobId: words[0] } };
  },
  run: (ctx, { jobId }) => ctx.status(jobId),
};
