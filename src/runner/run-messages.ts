import { esc } from '../slack/blocks/text';
import type { JobData, Step } from './types';
import { lastDoneNumber } from './step-number';
import { WORKER_ID } from './worker-id';

export function lastDone(data: JobData): string {
  const last = data.records.at(-1);
  return last ? `*${esc(last.label)}* (step ${lastDoneNumber(data)})` : 'none';
}

export function handBackLine(current: Step<any, any> | undefined, data: JobData): string {
  const at = current ? ` during *${esc(current.label)}*` : '';
  return `⏸️ Worker \`${WORKER_ID}\` is shutting down: the job stopped safely${at} and will resume on the next worker. Last completed step: ${lastDone(data)}.`;
}

/** Redis went silent (`silentMs`) or refused the worker's calls (`refused`: Redis's own words). */
export function redisTroubleLine(trouble: { silentMs?: number; refused?: string }, data: JobData): string {
  const what =
    trouble.refused !== undefined
      ? `Redis refused worker \`${WORKER_ID}\`'s calls (${esc(trouble.refused)})${trouble.silentMs ? ` for ${Math.round(trouble.silentMs / 1000)} s` : ''}`
      : `Redis has not answered worker \`${WORKER_ID}\` for ${Math.round((trouble.silentMs ?? 0) / 1000)} s`;
  const again = trouble.refused !== undefined ? 'Once Redis accepts them again' : 'Once Redis answers again';
  return (
    `⚠️ ${what}: the job stopped here, before its next call to the cluster, and changes nothing more from this worker. ` +
    `${again} a worker resumes it from its last completed step: ${lastDone(data)}.`
  );
}

/** What the thread hears when a run starts on a job another worker ran before; undefined for a plain start. */
export function resumeLine(crashed: string | undefined, handedBy: string | undefined, data: JobData, inFlight: Step<any, any> | undefined): string | undefined {
  const check = inFlight ? ` *${esc(inFlight.label)}* may have started: the cluster is asked whether it happened before anything is repeated.` : '';
  // The same worker: its earlier run stopped (Redis refused or ignored it, or its lock lapsed) but it did not restart.
  if (crashed === WORKER_ID) return `🔁 Resumed by worker \`${WORKER_ID}\`, whose earlier run stopped without handing the job back; last completed step: ${lastDone(data)}.${check}`;
  if (crashed) return `🔁 Resumed by worker \`${WORKER_ID}\` after a restart (\`${esc(crashed)}\` stopped without handing the job back); last completed step: ${lastDone(data)}.${check}`;
  if (handedBy) return `▶️ Resumed by worker \`${WORKER_ID}\` (\`${esc(handedBy)}\` handed it back when it shut down); last completed step: ${lastDone(data)}.${check}`;
  return undefined;
}

/**
 * A job that lost its cluster lock runs no cleanup: these lines say what it therefore left as it was — by name
 * when the job definition's `leftovers` hook names them, else in general terms.
 */
export function notRestoredLines(holder: string | undefined, data: JobData, inFlight: Step<any, any> | undefined, leftovers: string[] = []): string[] {
  const why = `cleanup did not run: ${holder ? `\`${esc(holder)}\` holds the cluster now, and ` : ''}putting back this job's changes`;
  const undo = 'while another job may depend on them could undo its work';
  return [
    ...(leftovers.length
      ? [`${why} ${undo}; left as this job set them:`, ...leftovers.map((l) => `left in place: ${esc(l)}`)]
      : [`${why} (settings, blocks, exclusions) ${undo}`]),
    `last completed step: ${lastDone(data)}`,
    ...(inFlight ? [`*${esc(inFlight.label)}* was in flight and may or may not have happened`] : []),
  ];
}

/** The closing text of a progress message whose worker died or left before the step finished. */
export function interruptedLine(label: string, crashed: string | undefined, handedBy: string | undefined): string {
  const by = crashed ? `worker \`${esc(crashed)}\` stopped before the step finished` : handedBy ? `worker \`${esc(handedBy)}\` shut down before the step finished` : 'the run that showed it ended';
  return `⏹ *${esc(label)}* interrupted: ${by}; resumed by worker \`${WORKER_ID}\` below`;
}
