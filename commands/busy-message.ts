import type { EnqueueResult } from './types';

/** The answer to a request refused because another job holds the cluster: which job, and how to follow it. */
export function busyMessage(what: string, cluster: string, r: EnqueueResult): string {
  const holder = r.busyWith ?? 'another job';
  if (r.busyBecause === 'dry-run') {
    return `A dry run of ${what} on \`${cluster}\` is already queued or running as job ${holder}; this one was not queued (one dry run of a kind per cluster at a time). \`/elk status ${holder}\` shows its plan`;
  }
  return `\`${cluster}\` is busy with job ${holder}; the ${what} was not queued. \`/elk status ${holder}\` shows it`;
}
