import type { JobData } from './types';

/**
 * The one place step numbers come from, so "step 17 of 32" on the card is "step 17" in the stop message and
 * in `/elk status`. Steps are numbered from 1; the step being worked on (running, waiting for approval,
 * blocked, or where the job stopped) is the one at the cursor.
 */
export function stepNumber(data: Pick<JobData, 'cursor'>): number {
  return data.cursor + 1;
}

/** The number of the last completed step (0 when none is). */
export function lastDoneNumber(data: Pick<JobData, 'cursor'>): number {
  return data.cursor;
}
