import { Queue, type Job } from 'bullmq';
import { formatDuration } from '../config/duration';
import { jobIdFor, kindOfJobId, queueName } from '../queues/names';
import type { CoreServices } from '../runner/runner';
import type { JobData, JobKind } from '../runner/types';
import { decidedMessage } from '../slack/blocks/approval';
import { esc } from '../slack/blocks/text';
import type { EnqueueResult, Reply } from '../../commands/types';

const LIVE_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);
/** The lock taken at enqueue time covers the gap until a worker starts the job and renews it. */
const ENQUEUE_LOCK_TTL_MS = 10 * 60_000;

export interface JobServiceDeps extends CoreServices {
  kinds: { kind: JobKind; destructive: boolean }[];
}

/** What the bot process does with jobs: everything here is a few Redis calls, fast enough for a 3 s ack. */
export class JobService {
  private readonly queues = new Map<JobKind, Queue<JobData>>();

  constructor(private readonly d: JobServiceDeps) {
    for (const { kind } of d.kinds) {
      this.queues.set(kind, new Queue<JobData>(queueName(kind), { connection: d.redis, prefix: d.config.redis.prefix }));
    }
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

  async enqueue(kind: JobKind, cluster: string, args: unknown, user: string, channel: string): Promise<EnqueueResult> {
    const queue = this.queues.get(kind);
    if (!queue) throw new Error(`no queue for job kind ${kind}`);
    const jobId = jobIdFor(kind, cluster);
    const existing = await queue.getJob(jobId);
    if (existing) {
      if (LIVE_STATES.has(await existing.getState())) return { busyWith: jobId };
      await this.archive(existing);
    }
    const destructive = this.d.kinds.find((k) => k.kind === kind)?.destructive ?? true;
    if (destructive) {
      const got = await this.d.lock.acquire(cluster, jobId, ENQUEUE_LOCK_TTL_MS);
      if (!got.ok) return { busyWith: got.holder };
    }
    const data: JobData = {
      kind,
      cluster,
      requester: user,
      channel,
      args,
      requestedAt: this.d.clock.now(),
      cursor: 0,
      state: {},
      records: [],
      overrides: {},
    };
    try {
      await queue.add(kind, data, { jobId, removeOnComplete: false, removeOnFail: false });
    } catch (err) {
      if (destructive) await this.d.lock.release(cluster, jobId);
      throw err;
    }
    return { jobId };
  }

  /** The previous run of a deterministic id is kept as history, then removed so the id can run again. */
  private async archive(job: Job<JobData>): Promise<void> {
    const entry = { id: job.id, finishedOn: job.finishedOn, state: await job.getState(), result: job.returnvalue, failedReason: job.failedReason, records: job.data.records };
    const key = `${this.d.config.redis.prefix}:history`;
    await this.d.redis.multi().lpush(key, JSON.stringify(entry)).ltrim(key, 0, 199).exec();
    await this.d.approvals.archive(job.id!, String(job.timestamp));
    await job.remove();
  }

  private recent: { at: number; reply: Promise<Reply> } | undefined;

  async status(jobId?: string): Promise<Reply> {
    if (!jobId) {
      // A burst of /elk status (an incident channel) shares one listing per second instead of queueing on Redis.
      if (!this.recent || Date.now() - this.recent.at > 1000) this.recent = { at: Date.now(), reply: this.listRecent() };
      return this.recent.reply;
    }
    const job = await this.getJob(jobId);
    if (!job) return { text: `No job \`${esc(jobId)}\`. \`/elk status\` lists recent jobs.` };
    return { text: this.describe(job, await job.getState(), true) };
  }

  private async listRecent(): Promise<Reply> {
    // One query per state (not one per job): /elk status must answer well within Slack's 3 s under load.
    const found: { job: Job<JobData>; state: string }[] = [];
    const states = ['active', 'waiting', 'delayed', 'completed', 'failed'] as const;
    await Promise.all(
      [...this.queues.values()].flatMap((q) => states.map(async (state) => (await q.getJobs([state], 0, 9)).forEach((job) => found.push({ job, state })))),
    );
    if (found.length === 0) return { text: 'No jobs yet. `/elk help` lists what you can run.' };
    found.sort((a, b) => b.job.timestamp - a.job.timestamp);
    return { text: found.slice(0, 10).map(({ job, state }) => this.describe(job, state, false)).join('\n') };
  }

  private describe(job: Job<JobData>, state: string, full: boolean): string {
    const d = job.data;
    const progress = (job.progress ?? {}) as { step?: number; total?: number; label?: string };
    const outcome = (job.returnvalue as { outcome?: string } | null)?.outcome;
    const shown = state === 'delayed' && d.pendingApproval ? 'waiting for approval' : state === 'completed' && outcome && outcome !== 'completed' ? outcome : state;
    const age = formatDuration(Math.max(0, this.d.clock.now() - d.requestedAt));
    const head = `• \`${job.id}\` — *${shown}*${progress.total ? `, step ${progress.step} of ${progress.total}` : ''}, requested by <@${d.requester}> ${age} ago`;
    if (!full) return head;
    const lines = d.records.slice(-15).map((r) => `   ✅ ${esc(r.label)} — ${r.summary}`);
    if (d.pendingApproval) lines.push(`   ✋ waiting for approval: ${esc(d.pendingApproval.request.action)}`);
    if (job.failedReason) lines.push(`   ❌ ${esc(job.failedReason)}`);
    return [head, ...lines].join('\n');
  }

  private mayCancel(user: string, job: Job<JobData>): boolean {
    const rule = this.d.config.access.commands.cancel;
    const approvers = this.d.config.access.approvers;
    return user === job.data.requester || approvers.includes(user) || approvers.includes('*') || !!rule?.users.includes(user);
  }

  async cancel(jobId: string, user: string): Promise<Reply> {
    const job = await this.getJob(jobId);
    if (!job) return { text: `No job \`${esc(jobId)}\`. \`/elk status\` lists recent jobs.` };
    const state = await job.getState();
    if (!LIVE_STATES.has(state)) return { text: `\`${esc(jobId)}\` has already finished (${state}); nothing to cancel.` };
    if (!this.mayCancel(user, job)) return { text: `⛔ Only the requester (<@${job.data.requester}>) or an approver can cancel \`${esc(jobId)}\`.` };
    await this.d.cancels.request(jobId, user);
    if (state === 'waiting' || state === 'prioritized') {
      // Never started: nothing to put back. Remove it (fails harmlessly if a worker grabbed it meanwhile).
      try {
        await job.remove();
        await this.d.lock.release(job.data.cluster, jobId);
        await this.d.cancels.clear(jobId);
        return { text: `🛑 \`${esc(jobId)}\` was cancelled before it started; nothing was changed.` };
      } catch {
        /* picked up just now: the running job sees the flag */
      }
    }
    if (state === 'delayed') await job.promote().catch(() => undefined);
    return { text: `🛑 Cancel requested for \`${esc(jobId)}\` by <@${user}>: it stops at its next safe point and puts back what it changed; the thread says when.` };
  }

  /** A click on Approve/Reject: checked against the job's current question, recorded once, then the job is woken. */
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
    const { decision, first } = await this.d.approvals.decide(jobId, approvalId, { approved, by: user, at: this.d.clock.now() });
    if (!first) return { ok: false, message: `Already decided: ${decision.approved ? 'approved' : 'rejected'} by ${decision.by === 'timeout' ? 'the timeout' : `<@${decision.by}>`}.` };
    if (p.postedTs && job.data.thread) {
      const time = new Date(decision.at).toISOString().slice(11, 16) + ' UTC';
      await this.d.slack.update(job.data.thread.channel, p.postedTs, decidedMessage(p.request, decision, time)).catch(() => undefined);
    }
    await job.log(`${new Date(decision.at).toISOString()} approval ${approvalId}: ${approved ? 'approved' : 'rejected'} by ${user}`);
    if ((await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
    return { ok: true, message: approved ? 'Approved; the job continues.' : 'Rejected; the job stops in a safe state.' };
  }
}
