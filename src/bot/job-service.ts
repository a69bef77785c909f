import type { Job, KeepJobs, Queue } from 'bullmq';
import type { Logger } from '../log';
import { DryRunGuard } from '../queues/dry-run-guard';
import { jobQueue } from '../queues/job-queue';
import { kindOfJobId, looksLikeJobId, newJobId } from '../queues/names';
import type { CoreServices } from '../runner/runner';
import type { JobData, JobKind } from '../runner/types';
import { decidedMessage } from '../slack/blocks/approval';
import { code, esc } from '../slack/blocks/text';
import { EnqueueRefused, noApproverLeft } from './no-approver-left';
import type { EnqueueResult, Reply } from '../../commands/types';
import { describeJob, LIVE_STATES } from './describe-job';

/** The lock taken at enqueue time covers the gap until a worker starts the job and renews it. */
const ENQUEUE_LOCK_TTL_MS = 10 * 60_000;
/** A dry run plans and stops within minutes; the guard expires after this even if nobody clears it. */
const DRY_RUN_GUARD_TTL_MS = 60 * 60_000;
/** Between taking a guard and adding its job there are a few ms; a guard older than this without a job is stale. */
const ENQUEUE_GRACE_MS = 30_000;
const NO_SUCH_JOB = (shown: string) => `No job ${shown}. \`/elk status\` lists recent jobs.`;
const NOT_A_JOB_ID = (text: string) => `No job ${code(text)}: job ids look like \`upgrade-prod-20261201-0912-a3f4\` (\`/elk status\` lists recent jobs).`;

/**
 * The answer to a cancel. `cardAnswers`: the running job takes the cancel and its card (which everybody sees)
 * shows it, so a click on the card's Cancel needs no private reply; false when the cancel was refused, or
 * when nothing is left to update the card (a job removed before any worker started it).
 */
export interface CancelReply extends Reply {
  cardAnswers: boolean;
}

export interface JobServiceDeps extends CoreServices {
  kinds: { kind: JobKind; destructive: boolean }[];
  log?: Logger;
}

/** One claim on a cluster: the destructive lock for real runs, the per-kind guard for dry runs. */
interface Claim {
  take(jobId: string): Promise<{ ok: true } | { ok: false; holder: string; ageMs?: number }>;
  release(jobId: string): Promise<void>;
}

function isDryRun(args: unknown): boolean {
  return (args as { dryRun?: unknown } | undefined)?.dryRun === true;
}

/** What the bot process does with jobs: everything here is a few Redis calls, fast enough for a 3 s ack. */
export class JobService {
  private readonly queues = new Map<JobKind, Queue<JobData>>();
  private readonly guard: DryRunGuard;
  private readonly keep: KeepJobs;

  constructor(private readonly d: JobServiceDeps) {
    for (const { kind } of d.kinds) {
      this.queues.set(kind, jobQueue(kind, d.redis, d.config.redis.prefix, d.log));
    }
    this.guard = new DryRunGuard(d.redis, d.config.redis.prefix, DRY_RUN_GUARD_TTL_MS);
    const { keepDays, keepCount } = d.config.jobs.history;
    // BullMQ prunes finished runs as new ones finish: every run stays listed until it is old or far down the list.
    this.keep = { age: Math.round(keepDays * 86_400), count: keepCount };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  private queueFor(jobId: string): Queue<JobData> | undefined {
    const kind = kindOfJobId(jobId);
    return kind ? this.queues.get(kind) : undefined;
  }

  async getJob(jobId: string): Promise<Job<JobData> | undefined> {
    return (await this.queueFor(jobId)?.getJob(jobId)) ?? undefined;
  }

  private claimFor(kind: JobKind, cluster: string, dryRun: boolean): Claim | undefined {
    if (dryRun) {
      return { take: (id) => this.guard.take(kind, cluster, id), release: (id) => this.guard.release(kind, cluster, id) };
    }
    const destructive = this.d.kinds.find((k) => k.kind === kind)?.destructive ?? true;
    if (!destructive) return undefined;
    // The runner later acquires the same lock with the same job id, which the lock's renew script allows.
    return { take: (id) => this.d.lock.acquire(cluster, id, ENQUEUE_LOCK_TTL_MS), release: (id) => this.d.lock.release(cluster, id) };
  }

  /** Has the holder of a claim ended, so the claim is left over (a guard nobody cleared, a lock of a dead run)? */
  private async holderEnded(holder: string, ageMs: number | undefined): Promise<boolean> {
    // One round trip: fifty refused requests in a burst each ask this, all within Slack's 3 s.
    const queue = looksLikeJobId(holder) ? this.queueFor(holder) : undefined;
    const state = queue ? await queue.getJobState(holder) : 'unknown';
    // No job yet: either its enqueue is a few ms behind its claim, or that enqueue died (only a guard can tell, by age).
    if (state === 'unknown') return ageMs !== undefined && ageMs > ENQUEUE_GRACE_MS;
    return !LIVE_STATES.has(state);
  }

  /** Takes the claim atomically for `jobId`; a claim whose holder has ended is cleared (by that holder's id) and retried. */
  private async take(claim: Claim, jobId: string): Promise<{ ok: true } | { ok: false; holder: string }> {
    let last = 'another job';
    for (let attempt = 0; attempt < 3; attempt++) {
      const got = await claim.take(jobId);
      if (got.ok) return got;
      // An empty or placeholder holder means the claim vanished between the two reads: just try again.
      if (!got.holder || got.holder === 'another job') continue;
      last = got.holder;
      if (!(await this.holderEnded(got.holder, got.ageMs))) return { ok: false, holder: got.holder };
      await claim.release(got.holder);
    }
    return { ok: false, holder: last };
  }

  async enqueue(kind: JobKind, cluster: string, args: unknown, user: string, channel: string): Promise<EnqueueResult> {
    const queue = this.queues.get(kind);
    if (!queue) throw new Error(`no queue for job kind ${kind}: the bot was started without that job module`);
    const dryRun = isDryRun(args);
    // Refused now, with the fix, rather than after the plan when its first question could never be approved.
    const destructive = this.d.kinds.find((k) => k.kind === kind)?.destructive ?? true;
    const nobody = destructive && !dryRun ? noApproverLeft(this.d.config.access, user) : undefined;
    if (nobody) throw new EnqueueRefused(nobody);
    // Stamped with the real minute of the request: the id is read beside Slack's own (real) message times, and
    // the sandbox's accelerated cluster clock would put it hours into the future.
    let jobId = newJobId(kind, cluster, Date.now());
    // Four random characters: two runs in one minute share an id about once in 1.7 million, and BullMQ would take
    // the second add for the first job. An id already in the queue is drawn again.
    for (let i = 0; i < 3 && (await queue.getJob(jobId)); i++) jobId = newJobId(kind, cluster, Date.now());
    const claim = this.claimFor(kind, cluster, dryRun);
    if (claim) {
      const got = await this.take(claim, jobId);
      if (!got.ok) return { busyWith: got.holder, busyBecause: dryRun ? 'dry-run' : 'cluster-lock' };
    }
    const data: JobData = {
      kind,
      cluster,
      requester: user,
      channel,
      args,
      requestedAt: this.d.clock.now(),
      requestedAtReal: Date.now(),
      cursor: 0,
      state: {},
      records: [],
      overrides: {},
    };
    try {
      await queue.add(kind, data, { jobId, removeOnComplete: this.keep, removeOnFail: this.keep });
    } catch (err) {
      await claim?.release(jobId);
      throw err;
    }
    this.recent = undefined;
    return { jobId };
  }

  private recent: { at: number; reply: Promise<Reply> } | undefined;

  async status(jobId?: string): Promise<Reply> {
    if (!jobId) {
      // A burst of /elk status (an incident channel) shares one listing per second instead of queueing on Redis.
      if (!this.recent || Date.now() - this.recent.at > 1000) this.recent = { at: Date.now(), reply: this.listRecent() };
      return this.recent.reply;
    }
    if (!looksLikeJobId(jobId)) return { text: NOT_A_JOB_ID(jobId) };
    const job = await this.getJob(jobId);
    if (!job) return { text: NO_SUCH_JOB(code(jobId)) };
    return { text: describeJob(job, await job.getState(), this.d.clock.now(), true) };
  }

  private async listRecent(): Promise<Reply> {
    // One query per state (not one per job): /elk status must answer well within Slack's 3 s under load.
    const found: { job: Job<JobData>; state: string }[] = [];
    const states = ['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'] as const;
    await Promise.all(
      [...this.queues.values()].flatMap((q) => states.map(async (state) => (await q.getJobs([state], 0, 9)).forEach((job) => found.push({ job, state })))),
    );
    if (found.length === 0) return { text: 'No jobs yet. `/elk help` lists what you can run.' };
    found.sort((a, b) => b.job.timestamp - a.job.timestamp);
    const now = this.d.clock.now();
    const live = found.filter((f) => LIVE_STATES.has(f.state)).slice(0, 10);
    const ended = found.filter((f) => !LIVE_STATES.has(f.state)).slice(0, 10);
    const parts: string[] = [];
    parts.push(live.length ? `*Running or waiting*\n${live.map((f) => describeJob(f.job, f.state, now, false)).join('\n')}` : '*Running or waiting*: none');
    if (ended.length) parts.push(`*Recent runs*\n${ended.map((f) => describeJob(f.job, f.state, now, false)).join('\n')}`);
    return { text: parts.join('\n') };
  }

  private mayCancel(user: string, job: Job<JobData>): boolean {
    const rule = this.d.config.access.commands.cancel;
    const approvers = this.d.config.access.approvers;
    return user === job.data.requester || approvers.includes(user) || approvers.includes('*') || !!rule?.users.includes(user);
  }

  async cancel(jobId: string, user: string): Promise<CancelReply> {
    if (!looksLikeJobId(jobId)) return { text: NOT_A_JOB_ID(jobId), cardAnswers: false };
    const job = await this.getJob(jobId);
    if (!job) return { text: NO_SUCH_JOB(code(jobId)), cardAnswers: false };
    const state = await job.getState();
    if (!LIVE_STATES.has(state)) return { text: `\`${jobId}\` has already finished (${state}); nothing to cancel.`, cardAnswers: false };
    if (!this.mayCancel(user, job)) return { text: `⛔ Only the requester (<@${job.data.requester}>) or an approver can cancel \`${jobId}\`.`, cardAnswers: false };
    await this.d.cancels.request(jobId, user);
    if (state === 'waiting' || state === 'prioritized') {
      // Never started: nothing to put back. Remove it (fails harmlessly if a worker grabbed it meanwhile).
      try {
        await job.remove();
        await this.d.lock.release(job.data.cluster, jobId);
        await this.guard.release(job.data.kind, job.data.cluster, jobId);
        await this.d.cancels.clear(jobId);
        this.recent = undefined;
        // No run is left to update the card: this answer is the only one the clicker gets.
        return { text: `🛑 \`${jobId}\` was cancelled before it started; nothing was changed.`, cardAnswers: false };
      } catch {
        /* picked up just now: the running job sees the flag */
      }
    }
    if (state === 'delayed') await job.promote().catch(() => undefined);
    return { text: `🛑 Cancel requested for \`${jobId}\` by <@${user}>: it stops at its next safe point and puts back what it changed; the thread says when.`, cardAnswers: true };
  }

  /**
   * A click on Approve/Reject: checked against the job's current question, recorded once (with the label of
   * the button pressed), then the job is woken. On success the rewritten question is the answer everybody
   * sees; `message` is for the clicker only when the click was refused.
   */
  async decide(jobId: string, approvalId: string, user: string, approved: boolean): Promise<{ ok: boolean; message: string }> {
    const job = await this.getJob(jobId);
    if (!job) return { ok: false, message: 'This job no longer exists; the button does nothing.' };
    const state = await job.getState();
    if (!LIVE_STATES.has(state)) return { ok: false, message: `\`${esc(jobId)}\` has finished (${state}); the button does nothing.` };
    const p = job.data.pendingApproval;
    if (!p || p.id !== approvalId) {
      const earlier = await this.d.approvals.get(jobId, approvalId);
      return {
        ok: false,
        message: earlier
          ? `Already decided: ${earlier.approved ? 'approved' : 'rejected'} by ${earlier.by === 'timeout' ? 'the timeout' : `<@${earlier.by}>`}.`
          : 'This button is from an older step; the job is not waiting for it.',
      };
    }
    const { approvers, requesterMayApprove } = this.d.config.access;
    const isApprover = approvers.includes(user) || approvers.includes('*');
    if (approved && !isApprover) return { ok: false, message: `⛔ Only approvers can approve${approvers.length ? `: ask ${approvers.filter((a) => a !== '*').map((a) => `<@${a}>`).join(', ')}` : ''}.` };
    if (approved && user === job.data.requester && !requesterMayApprove) {
      return { ok: false, message: '⛔ Two-person rule: someone other than the requester must approve this step.' };
    }
    // Rejecting is the safe direction: the requester may always stop their own job.
    if (!approved && !isApprover && user !== job.data.requester) return { ok: false, message: '⛔ Only approvers or the requester can reject.' };
    const label = approved ? p.approveLabel : p.rejectLabel;
    // Real time: the question shows when the person clicked, by their own clock.
    const { decision, first } = await this.d.approvals.decide(jobId, approvalId, { approved, by: user, at: Date.now(), ...(label ? { label } : {}) });
    if (!first) return { ok: false, message: `Already decided: ${decision.approved ? 'approved' : 'rejected'} by ${decision.by === 'timeout' ? 'the timeout' : `<@${decision.by}>`}.` };
    if (p.postedTs && job.data.thread) {
      await this.d.slack.update(job.data.thread.channel, p.postedTs, decidedMessage(p.request, decision, p.purpose)).catch(() => undefined);
    }
    await job.log(`${new Date(decision.at).toISOString()} approval ${approvalId}: ${approved ? 'approved' : 'rejected'}${label ? ` ("${label}")` : ''} by ${user}`);
    if ((await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
    return { ok: true, message: approved ? 'Approved; the job continues.' : 'Rejected; the job stops in a safe state.' };
  }
}
