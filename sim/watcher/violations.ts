import type { WatchReport } from './watcher';

export interface Limits {
  /** Most nodes allowed out of the cluster at once. */
  maxNodesOut: number;
  /** Red allowed at all? Default no. */
  allowRed?: boolean;
  /** Longest stretch without a health answer (clock ms) before the watch cannot vouch for that time. Default 2 minutes. */
  maxBlindMs?: number;
  /**
   * Longest red (clock ms) tolerated while no primary is unassigned: Elasticsearch reports a just-created index
   * (a reindex's copy, a `_clone` target) red until its primaries have started, with no copy of any data missing.
   * Default 1 minute.
   */
  maxInitialisingRedMs?: number;
}

const iso = (t: number | undefined) => (t === undefined ? '?' : new Date(t).toISOString().slice(11, 19));
const dur = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s` : `${(ms / 1000).toFixed(1)}s`);

/** The invariants of a safe change, checked against what the watcher saw, each broken one said in plain words. */
export function findViolations(r: WatchReport, limits: Limits): string[] {
  const out: string[] = [];
  // Red with a primary unassigned is the loss risk; red without one is only tolerated as long as a new index needs.
  const lossRisk = r.maxUnassignedPrimaries > 0 || r.timeIn.red > (limits.maxInitialisingRedMs ?? 60_000);
  if (r.redSeen && !limits.allowRed && lossRisk) {
    out.push(`the cluster went red at ${iso(r.firstRedAt)} and was red for ${dur(r.timeIn.red)} (max ${r.maxUnassignedPrimaries} unassigned primaries)`);
  }
  if (r.maxNodesOut > limits.maxNodesOut) {
    out.push(`${r.maxNodesOut} of ${r.expectedNodes} nodes were out of the cluster at once at ${iso(r.maxNodesOutAt)} (at most ${limits.maxNodesOut} allowed)`);
  }
  for (const t of r.terminatedTwice) out.push(`instance ${t.instanceId} was terminated ${t.activities} times (Auto Scaling activities)`);
  for (const d of r.documents) {
    if (d.missing > 0) {
      out.push(
        `${d.index}: ${d.missing} acknowledged documents missing (expected ${d.expected}, counted ${d.counted ?? 'nothing'}${d.problem ? `; ${d.problem}` : ''})`,
      );
    }
  }
  const blind = limits.maxBlindMs ?? 120_000;
  if (r.longestBlindMs > blind) {
    out.push(`cluster health went unanswered for ${dur(r.longestBlindMs)} from ${iso(r.longestBlindFrom)}: nothing can be vouched for in that time`);
  }
  return out;
}
