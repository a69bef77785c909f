import type { PendingApproval } from '../../src/runner/types';
import type { Harness, JobSnapshot } from './harness';

/** One question the job asked in its thread, and what the second user clicked. */
export interface Asked {
  id: string;
  step: string;
  purpose: PendingApproval['purpose'];
  action: string;
  approved: boolean;
}

export interface DriveOptions {
  /** Approve (true) or reject (false) a question; default: approve every `run` question, fail on any other. */
  decide?: (p: PendingApproval) => boolean;
  approver?: 'bob' | 'dave';
  timeoutMs?: number;
}

export interface DriveResult {
  jobId: string;
  final: JobSnapshot;
  asked: Asked[];
}

const approveRuns = (p: PendingApproval) => {
  if (p.purpose !== 'run') throw new Error(`unexpected ${p.purpose} question: ${p.request.action}`);
  return true;
};

function clickIfAsked(h: Harness, jobId: string, s: JobSnapshot | undefined, asked: Asked[], o: DriveOptions): Promise<void> | undefined {
  const p = s?.data.pendingApproval;
  // As a person would: as soon as the question is in the thread, whether or not the job has parked on it yet.
  if (!p?.postedTs || asked.some((a) => a.id === p.id)) return undefined;
  const approved = (o.decide ?? approveRuns)(p);
  asked.push({ id: p.id, step: p.step, purpose: p.purpose, action: p.request.action, approved });
  const who = o.approver ?? 'bob';
  return (approved ? h.approve(who, jobId) : h.reject(who, jobId)).then(() => undefined);
}

/** Answers every question the job asks, as a second user clicking in the thread, until the job finishes. */
export async function driveToEnd(h: Harness, jobId: string, o: DriveOptions = {}): Promise<DriveResult> {
  const asked: Asked[] = [];
  const deadline = Date.now() + (o.timeoutMs ?? 50_000);
  for (;;) {
    const s = await h.job(jobId);
    if (s?.state === 'completed' || s?.state === 'failed') return { jobId, final: s, asked };
    if (Date.now() > deadline) throw new Error(`job ${jobId} not finished (state ${s?.state}, step ${s?.data.cursor})\n${h.threadText(jobId)}\n--- worker log ---\n${h.workerLog().slice(-3000)}`);
    await clickIfAsked(h, jobId, s, asked, o);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Drives the job until `until` holds for its saved state (answering questions meanwhile). */
export async function driveUntil(h: Harness, jobId: string, until: (s: JobSnapshot) => boolean, o: DriveOptions = {}): Promise<JobSnapshot> {
  const asked: Asked[] = [];
  const deadline = Date.now() + (o.timeoutMs ?? 50_000);
  for (;;) {
    const s = await h.job(jobId);
    if (s && until(s)) return s;
    if (s?.state === 'completed' || s?.state === 'failed') throw new Error(`job ${jobId} ended ${s.state} first (${s.failedReason ?? JSON.stringify(s.returnvalue)})\n${h.threadText(jobId)}`);
    if (Date.now() > deadline) throw new Error(`job ${jobId}: condition not reached (state ${s?.state}, step ${s?.data.cursor})\n${h.threadText(jobId)}\n--- worker log ---\n${h.workerLog().slice(-3000)}`);
    await clickIfAsked(h, jobId, s, asked, o);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface CrashRun extends DriveResult {
  /** Crash points at which the worker really died (SIGKILL from ELK_CRASH_AT). */
  fired: string[];
  /** Crash points the job went past without reaching (a wait that ended while the worker restarted). */
  missed: string[];
}

const stepOf = (crash: string) => crash.slice(0, crash.lastIndexOf(':'));
const phaseOf = (crash: string) => crash.slice(crash.lastIndexOf(':') + 1);

/**
 * Runs the job on worker processes armed with ELK_CRASH_AT, one crash point after another: each time the worker
 * SIGKILLs itself, a new worker with the next point resumes the job. The harness's worker must have been
 * started with the first point (`startWorker: false` + `startWorker({ crashAt })`) before the job was queued.
 */
export async function driveThroughCrashes(h: Harness, jobId: string, crashes: string[], o: DriveOptions = {}): Promise<CrashRun> {
  const asked: Asked[] = [];
  const fired: string[] = [];
  const missed: string[] = [];
  let next = 0;
  let dead = false;
  let generation = 0;
  // Only the current worker's exit counts: restartWorker's own SIGKILL of the previous one does not.
  const arm = () => {
    const mine = ++generation;
    void h.workerExited(10 * 60_000).then(
      () => void (dead = dead || mine === generation),
      () => undefined,
    );
  };
  arm();
  let armedAfterRecord = false;
  const recorded = (crash: string | undefined, s: JobSnapshot | undefined) => !!crash && !!s?.data.records.some((r) => r.step === stepOf(crash));
  const deadline = Date.now() + (o.timeoutMs ?? 55_000);
  for (;;) {
    const s = await h.job(jobId);
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} stuck (${s?.state}, next crash ${crashes[next]}, step ${s?.data.cursor}; fired ${fired.join(', ')})\n${h.threadText(jobId)}\n--- worker log ---\n${h.workerLog().slice(-3000)}`);
    }
    if (s?.state === 'completed' || s?.state === 'failed') return { jobId, final: s, asked, fired, missed };
    const crash = crashes[next];
    // An `after` point armed once its step was recorded cannot fire any more; other phases are passed once recorded.
    const passed = recorded(crash, s) && (phaseOf(crash!) !== 'after' || armedAfterRecord);
    if (dead || passed) {
      (dead ? fired : missed).push(crash ?? '(none)');
      dead = false;
      next++;
      generation++;
      await h.restartWorker({ crashAt: crashes[next] });
      armedAfterRecord = recorded(crashes[next], await h.job(jobId));
      arm();
      continue;
    }
    await clickIfAsked(h, jobId, s, asked, o);
    await new Promise((r) => setTimeout(r, 50));
  }
}
