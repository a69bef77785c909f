import { clusterClockNote, formatDuration } from '../config/duration';

/**
 * How long a job still needs, re-estimated from what it measured so far. Steps are grouped by the part of
 * their name before the first "/" (a node of an upgrade, an index of a reindex): a plan may estimate each
 * group from the cluster's own figures, and once groups finish, their measured time corrects the rest
 * ("the first node took 1.6× its estimate, so the others probably will too"). Without a plan, the mean
 * measured step stands in for each remaining step. All figures are cluster clock ms.
 */
export interface PlannedEstimate {
  totalMs: number;
  /** Estimated ms per group (e.g. per node), when the plan knows them. */
  groups?: Record<string, number>;
}

export interface MeasuredStep {
  step: string;
  /** ms of work: from the step's start (after its approval and predicates) to its end. */
  workMs: number;
}

export function groupOf(step: string): string {
  const i = step.indexOf('/');
  return i < 0 ? step : step.slice(0, i);
}

/** A first node that took 20× its estimate says something, but not that the rest take 20× too. */
const FACTOR_RANGE = [0.25, 6] as const;

export function remainingMs(input: { estimate?: PlannedEstimate; done: MeasuredStep[]; remaining: string[]; currentMs?: number }): number | undefined {
  const { estimate, done, remaining } = input;
  if (remaining.length === 0) return 0;
  const planned = estimate?.groups ?? {};
  const left = new Set(remaining.map(groupOf));
  const measured = new Map<string, number>();
  for (const d of done) measured.set(groupOf(d.step), (measured.get(groupOf(d.step)) ?? 0) + d.workMs);
  // The step under way counts for its group: a node half drained is half done.
  const current = groupOf(remaining[0]);
  measured.set(current, (measured.get(current) ?? 0) + (input.currentMs ?? 0));
  // Finished groups that had a planned figure: how far off the plan was.
  let plannedDone = 0;
  let measuredDone = 0;
  for (const [g, ms] of measured) {
    if (planned[g] === undefined || left.has(g)) continue;
    plannedDone += planned[g];
    measuredDone += ms;
  }
  const factor = plannedDone > 0 ? Math.min(FACTOR_RANGE[1], Math.max(FACTOR_RANGE[0], measuredDone / plannedDone)) : 1;
  const unplanned = done.filter((d) => planned[groupOf(d.step)] === undefined);
  const meanUnplanned = unplanned.length ? unplanned.reduce((s, d) => s + d.workMs, 0) / unplanned.length : undefined;
  if (!estimate?.groups) {
    if (meanUnplanned !== undefined) return meanUnplanned * remaining.length;
    return estimate?.totalMs;
  }
  let ms = 0;
  const counted = new Set<string>();
  for (const step of remaining) {
    const g = groupOf(step);
    if (planned[g] === undefined) {
      ms += meanUnplanned ?? 0;
      continue;
    }
    if (counted.has(g)) continue;
    counted.add(g);
    // What is left of the group, never less than a tenth of it while it is not done.
    const expected = planned[g] * factor;
    ms += Math.max(expected * 0.1, expected - (measured.get(g) ?? 0));
  }
  return ms;
}

/** "estimated 1h 40m, took 1h 52m, +12%": how good the estimate was, shown when the job ends. */
export function estimateError(estimatedMs: number, tookMs: number, what = ''): string {
  const pct = estimatedMs > 0 ? Math.round(((tookMs - estimatedMs) / estimatedMs) * 100) : undefined;
  const signed = pct === undefined ? '' : `, ${pct >= 0 ? '+' : '−'}${Math.abs(pct)}%`;
  return `estimated ${formatDuration(estimatedMs)}, took ${formatDuration(tookMs)}${what ? ` ${what}` : ''}${signed}`;
}

export interface TimedStep {
  step: string;
  startedAt: number;
  finishedAt: number;
  workMs?: number;
}

/** A step's own work: its measured work time, or its whole span for records from before that was measured. */
export function workOf(r: TimedStep): number {
  return r.workMs ?? r.finishedAt - r.startedAt;
}

/**
 * The estimate against what it estimates: the plan's figure is the steps' own work (recoveries, boots, copies —
 * the same measure remainingMs corrects it with), so it is compared with the measured work of the steps it
 * covers (its groups, when it has them), not with the first-to-last span, which also holds the time the job
 * spent waiting for approvals, safety predicates and restarts. That time is named beside it when it is not
 * negligible. All figures are cluster clock ms; an accelerated clock is labelled.
 */
export function estimateAccuracy(estimate: PlannedEstimate, records: TimedStep[], speed = 1): string | undefined {
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last) return undefined;
  const planned = estimate.groups;
  const covered = planned ? records.filter((r) => planned[groupOf(r.step)] !== undefined) : records;
  const work = (covered.length ? covered : records).reduce((s, r) => s + workOf(r), 0);
  const span = last.finishedAt - first.startedAt;
  const waited = Math.max(0, span - records.reduce((s, r) => s + workOf(r), 0));
  const clock = clusterClockNote(speed);
  const notCounted = waited >= 1000 && waited >= span * 0.05 ? `; not counted: ${formatDuration(waited)} waiting for approvals, safety predicates or a restart` : '';
  return `${estimateError(estimate.totalMs, work, 'of step work')}${clock}${notCounted}`;
}
