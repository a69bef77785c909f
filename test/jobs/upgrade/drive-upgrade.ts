import { expect } from 'vitest';
import type { Harness } from '../../helpers/harness';
import { TARGET, type WatchedEstate, type WatchedOutcome } from '../../../sim/seed/watched-upgrade-seed';

export const jobIdOf = (reply: string): string => {
  const m = /as job (\S+?):/.exec(reply);
  if (!m) throw new Error(`no job id in the reply: ${reply}`);
  return m[1];
};

export interface DriveResult {
  state: string;
  /** Override questions the job asked (each one approved so the run can finish and the count is complete). */
  overrides: string[];
  runApprovals: number;
  thread: string;
}

/**
 * Runs an upgrade through the Slack emulator as an approver would: every "run" approval is clicked; an
 * override question is counted and approved (so one run reports all of them, instead of stopping at the first).
 * `beforeApprove` runs right before a click, with the step the approval is for.
 */
export async function driveUpgrade(h: Harness, jobId: string, opts: { timeoutMs: number; beforeApprove?: (step: string) => void | Promise<void>; onPoll?: () => void | Promise<void> }): Promise<DriveResult> {
  const clicked = new Set<string>();
  const overrides: string[] = [];
  let runApprovals = 0;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const s = await h.job(jobId);
    if (s?.state === 'completed' || s?.state === 'failed') return { state: s.state, overrides, runApprovals, thread: h.threadText(jobId) };
    if (Date.now() > deadline) throw new Error(`job ${jobId} not finished within ${opts.timeoutMs} ms (${s?.state}, cursor ${s?.data.cursor})\n${h.threadText(jobId)}\n--- worker log ---\n${h.workerLog().slice(-3000)}`);
    await opts.onPoll?.();
    const p = s?.data.pendingApproval;
    if (p?.postedTs && !clicked.has(p.id)) {
      clicked.add(p.id);
      if (p.purpose === 'override') overrides.push(`${p.step}: ${p.request.action} — ${p.request.details?.['Why it blocks'] ?? ''}`);
      else if (p.purpose === 'run') {
        runApprovals++;
        await opts.beforeApprove?.(p.step);
      }
      await h.approve('bob', jobId);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * What every upgrade must leave behind, as the watcher saw it through the public APIs: never red, at most one
 * node out, every document counted at the start and every acknowledged write still countable, no instance
 * with two termination activities, and every node at the target. Returns the watcher's figures for more checks.
 */
export async function expectSafeUpgrade(seeded: WatchedEstate, r: DriveResult, upgraded: (name: string) => boolean = () => true): Promise<WatchedOutcome> {
  expect(r.state, r.thread).toBe('completed');
  const w = await seeded.finish();
  expect(w.violations, w.documentsLine).toEqual([]);
  // Red only counts with a primary unassigned (a just-created hourly index is red until its primaries start): see sim/watcher/violations.ts.
  expect(w.report).toMatchObject({ maxUnassignedPrimaries: 0, terminatedTwice: [] });
  expect(w.report.maxNodesOut).toBeLessThanOrEqual(1);
  expect(w.missingDocs, JSON.stringify(w.audit)).toBe(0);
  // The writer was writing throughout (so "nothing lost" covers writes during the upgrade) and nothing was left unsettled.
  expect(w.writes.unresolved).toBe(0);
  expect(w.expectedDocs - Object.values(seeded.baseline()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  const mine = seeded.estate.es.cluster.nodes().filter((n) => upgraded(n.name));
  expect(mine.length).toBeGreaterThan(0);
  expect(mine.map((n) => n.version)).toEqual(Array(mine.length).fill(TARGET));
  expect(new Set(w.terminated).size).toBe(w.terminated.length);
  return w;
}
