import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { ClusterConfig } from '../config/schema';
import { clusterDuration, clusterTimeNote, formatDuration } from '../config/duration';
import { approvalMessage, approversOf, closedQuestion, decidedMessage } from '../slack/blocks/approval';
import { jobCard, stepOf, type CardStatus, type JobCardView } from '../slack/blocks/job-card';
import { esc } from '../slack/blocks/text';
import { ThreadReporter, type ThreadState } from '../slack/thread-reporter';
import { DryRunGuard } from '../queues/dry-run-guard';
import { crashPoint } from './crash-point';
import { ClusterLockLost, LOCK_TTL_MS, LockKeeper } from './lock-keeper';
import { startWatchdog } from './watchdog';
import { threadError } from './thread-error';
import { retryTransient, TRANSIENT_RETRY } from './retry-transient';
import { retryingPorts } from './retrying-ports';
import type { JobResult, RunnerServices } from './services';
import { stopReport } from './stop-report';
import { WORKER_ID } from './worker-id';
import { handBackLine, interruptedLine, notRestoredLines, redisTroubleLine, resumeLine } from './run-messages';
import { isRedisError, redisErrorText } from '../queues/redis-error';
import { waitAtMost } from '../wait-at-most';
import { notifyRequester } from './notify-requester';
import { stepNumber } from './step-number';
import { estimateAccuracy, remainingMs, workOf, type PlannedEstimate } from './eta';
import type {
  ApprovalRequest,
  Decision,
  JobData,
  JobDefinition,
  JobModule,
  PendingApproval,
  Step,
  StepContext,
  StepOutcome,
  StopReason,
} from './types';

/** Real ms a posted question is watched for an answer before the job parks (see quickDecision). */
const PARK_GRACE_MS = 1_500;

export type { CoreServices, JobResult, RunnerServices } from './services';

class Park {
  /** Real epoch ms: approval deadlines are real time. */
  constructor(readonly untilReal: number) {}
}

/** Another worker owns the job now (ours stalled): stop touching it, post nothing, clean nothing. */
class LostOwnership extends Error {}

/**
 * Redis went silent or refused this worker's calls: the run cannot save state or prove the job is its own. It
 * stops without cleaning up (the job is not over) and leaves the job to be resumed from its last saved step.
 */
class RedisTrouble extends Error {
  constructor(
    readonly silentMs: number | undefined,
    readonly refused: string | undefined,
  ) {
    super(refused ? `Redis refused: ${refused}` : 'Redis did not answer');
  }
}

/** This worker is shutting down: the job stops at a safe point and goes back to the queue for another worker. */
class HandBack {}

class Stop {
  constructor(
    readonly reason: StopReason,
    readonly detail: string,
    /** Set when cleanup must not run (another job holds the cluster): what is therefore left as it is. */
    readonly notRestored?: string[],
  ) {}
}

/** The BullMQ processor for every job kind: runs the job's steps from its saved cursor. */
export function createProcessor(s: RunnerServices) {
  return async (job: Job<JobData>, token?: string): Promise<JobResult> => {
    const why = unrunnable(s, job.data);
    if (why !== undefined) return failUnrunnable(s, job, why);
    return new JobRun(job, token ?? '', s.modules[job.data.kind]!, s.config.clusters[job.data.cluster], s).execute();
  };
}

/**
 * Why this worker cannot run the job at all: no module for its kind, or its cluster gone from the
 * configuration. Undefined when it can.
 */
function unrunnable(s: Pick<RunnerServices, 'modules' | 'config'>, data: Partial<JobData> | undefined): string | undefined {
  const kind = data?.kind;
  if (!kind || !s.modules[kind]) {
    const known = Object.keys(s.modules).join(', ') || 'none';
    return `no job module is registered for kind "${kind ?? '(none)'}" (this worker runs: ${known}); the job was queued by a bot of another version — run the command again`;
  }
  const cluster = data.cluster;
  if (!cluster || !s.config.clusters[cluster]) {
    const known = Object.keys(s.config.clusters).join(', ') || 'none';
    return `cluster "${cluster ?? '(none)'}" is not in the configuration any more (configured: ${known}); nothing was done — add it back under \`clusters\` and run the command again`;
  }
  return undefined;
}

/** A job no run can start takes the road of every failure: logged, its claims given back, the requester told. */
async function failUnrunnable(s: RunnerServices, job: Job<JobData>, why: string): Promise<never> {
  const id = job.id ?? '(no id)';
  const data = job.data;
  // The claims the bot took at enqueue time for this id: the cluster is free again at once, not at their expiry.
  if (data?.cluster && job.id) await releaseClaims(s, data, job.id).catch(() => undefined);
  if (data?.channel && data.requester) return failJob(s, data, id, why, true);
  s.log.error({ job: id }, 'could not tell the requester that the job failed: the job names no requester or channel');
  return failJob(s, data, id, why, false);
}

/** Logs the failure, tells the requester unless the thread already did, and fails the job in BullMQ for good. */
async function failJob(s: RunnerServices, data: JobData, id: string, reason: string, tell: boolean, err?: unknown): Promise<never> {
  s.log.error({ job: id, cluster: data?.cluster, kind: data?.kind, err: reason }, 'job failed');
  if (tell) await notifyRequester(s.slack, data, id, reason, s.log);
  throw err instanceof UnrecoverableError ? err : new UnrecoverableError(reason);
}

/** The cluster lock and, for a dry run, the dry-run guard: what the bot claimed for this job at enqueue time. */
async function releaseClaims(s: RunnerServices, data: JobData, id: string, clusterLock = true): Promise<void> {
  if (clusterLock) await s.lock.release(data.cluster, id);
  if ((data.args as { dryRun?: boolean } | undefined)?.dryRun) await new DryRunGuard(s.redis, s.config.redis.prefix, 0).release(data.kind, data.cluster, id);
}

class JobRun {
  private readonly data: JobData;
  private readonly def: JobDefinition<any, any>;
  private readonly abort = new AbortController();
  private readonly keeper: LockKeeper;
  private reporter!: ThreadReporter;
  private redisTroubleTold = false;
  private ctx!: StepContext<any, any>;
  private total = 0;
  private currentStep: Step<any, any> | undefined;
  private status: CardStatus = 'running';
  /** The predicate the card names while `status` is blocked; why the job stopped when it is stopped. */
  private blockedBy: string | undefined;
  private stoppedWhy: string | undefined;
  /** Clock time the current step's own work began (after its approval and predicates). */
  private workStartedAt: number | undefined;
  private duringFired = false;
  /** The question asked ahead, on its way to Slack while the step before it runs; never rejects. */
  private aheadPosting: Promise<void> = Promise.resolve();
  /** Why the abort signal fired: the first of these wins. */
  private stopCause: 'cancel' | 'shutdown' | 'lock-lost' | undefined;
  /** True while a destructive step's run executes: its port calls are not retried (see retrying-ports.ts). */
  private inDestructiveRun = false;
  /** The requester has been told how the job ended (in the thread); otherwise they get an ephemeral. */
  private endingTold = false;
  /** Cleanup runs even when a shutdown began meanwhile: a half-stopped job is worse than a slower exit. */
  private cleaningUp = false;
  /** Saves run one after another, so the last one written is always the newest state. */
  private saveChain: Promise<unknown> = Promise.resolve();
  /** The thread's state changed and a save carrying it is queued but has not written yet. */
  private threadDirty = false;
  /** The save that records the thread's state; awaited before the job is let go. */
  private threadSaved: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: Job<JobData>,
    private readonly token: string,
    private readonly mod: JobModule<any, any>,
    private readonly cluster: ClusterConfig,
    private readonly s: RunnerServices,
  ) {
    this.data = structuredClone(job.data);
    this.data.records ??= [];
    this.data.state ??= {};
    this.data.overrides ??= {};
    this.data.cursor ??= 0;
    this.def = mod.definition;
    // A dry run changes nothing, so it must not keep a real run (of this or another kind) off the cluster.
    const needsLock = this.def.destructive && !(this.data.args as { dryRun?: boolean } | undefined)?.dryRun;
    this.keeper = new LockKeeper(s.lock, this.data.cluster, job.id!, needsLock, (err) => this.abortFor('lock-lost', err));
  }

  private get id(): string {
    return this.job.id!;
  }

  /** Every way a run can end: a failure is logged, failed in BullMQ with its reason, and told to the requester. */
  async execute(): Promise<JobResult> {
    const onStopping = () => this.abortFor('shutdown', new Error('the worker is shutting down'));
    this.s.stopping?.addEventListener('abort', onStopping, { once: true });
    try {
      return await this.run();
    } catch (err) {
      if (err instanceof DelayedError || err instanceof LostOwnership) throw err;
      const trouble = this.redisTroubleIn(err);
      if (trouble) return await this.stepAside(trouble);
      return await failJob(this.s, this.data, this.id, (err as Error)?.message ?? String(err), !this.endingTold, err);
    } finally {
      this.s.stopping?.removeEventListener('abort', onStopping);
    }
  }

  private async run(): Promise<JobResult> {
    const { s } = this;
    if (s.stopping?.aborted) {
      // Fetched as the worker began to close: not started, so nothing to say; the next worker takes it.
      await this.job.moveToDelayed(Date.now(), this.token);
      throw new DelayedError();
    }
    await this.keeper.releaseUnneeded();
    await this.openThread();
    this.ctx = this.makeContext();
    // Before anything else is said, also when this run stops at once: the thread first gets what it missed.
    this.recoverThread();
    if (!(await this.keeper.hold())) return await this.stopEarly(this.lockLostStop(this.data.records.length === 0 && !this.data.inFlight));
    await this.announceResume();
    const watchdog = startWatchdog({
      cancelledBy: () => this.s.cancels.requestedBy(this.id),
      onCancel: (by) => this.abortFor('cancel', new Error(`cancelled by ${by}`)),
      keeper: this.keeper,
      stopped: () => this.abort.signal.aborted,
      log: (err) => this.s.log.warn({ job: this.id, err }, 'watchdog check failed'),
      jobLock: this.token
        ? {
            renew: () => this.ownsJob(),
            everyMs: Math.max(250, this.s.config.worker.lockDuration / 3),
            // Another run has the job: this one stops at once and touches nothing more (as a failed save would).
            onLost: () => this.abort.abort(new LostOwnership('the job lock passed to another run')),
          }
        : undefined,
      // At least 10 s: a loaded machine's slow round trip is not an outage.
      silence: this.token ? { afterMs: Math.max(this.s.config.worker.lockDuration, 10_000), onSilent: (ms, refused) => this.redisUnconfirmed(ms, refused) } : undefined,
    });
    try {
      await this.loop();
      await this.aheadPosting;
      return await this.complete();
    } catch (err) {
      // The ahead question's own save must not land after the ending's.
      await this.aheadPosting;
      // Not a failure of the job: execute() steps aside, with no cleanup.
      if (this.redisTroubleIn(err)) throw err;
      const lost = err instanceof LostOwnership ? err : this.abort.signal.reason instanceof LostOwnership ? this.abort.signal.reason : undefined;
      if (lost) {
        s.log.warn({ job: this.id }, 'job lock lost to another worker; this run stops without touching the job');
        throw lost;
      }
      if (this.keeper.lost) return await this.stopEarly(this.lockLostStop());
      if (err instanceof Park) {
        try {
          await this.park(err.untilReal);
        } catch (parkErr) {
          if (parkErr instanceof ClusterLockLost) return await this.stopEarly(this.lockLostStop());
          throw parkErr;
        }
        throw new DelayedError();
      }
      if (!(err instanceof Stop) && (err instanceof HandBack || this.stopCause === 'shutdown')) {
        await this.handBack();
        throw new DelayedError();
      }
      const stop =
        err instanceof Stop
          ? err
          : this.stopCause === 'cancel'
            ? new Stop('cancelled', `cancelled by <@${(await s.cancels.requestedBy(this.id)) ?? 'someone'}>`)
            : new Stop('failed', (err as Error).message ?? String(err));
      return await this.stopEarly(stop);
    } finally {
      clearInterval(watchdog);
      if (this.reporter) await this.flushThread();
    }
  }

  /**
   * Redis has not confirmed the job lock for longer than the lock lasts (silent, or answering errors): this run can
   * no longer prove the job is its own, and every call it would make next (a save, a lock check before a
   * destructive call) needs Redis anyway. It stops here and says so while Slack still hears it.
   */
  private redisUnconfirmed(unconfirmedMs: number, refused: Error | undefined): void {
    if (this.abort.signal.aborted) return;
    const t = new RedisTrouble(unconfirmedMs, refused && redisErrorText(refused));
    // Said here, not on the way out: that way passes the thread-state save, which waits on a silent Redis.
    this.sayRedisTrouble(t);
    void this.reporter.flush().catch(() => undefined);
    this.abort.abort(t);
  }

  /** Why the run ended, when it was Redis: the watchdog's finding (the abort reason), or an error Redis answered. */
  private redisTroubleIn(err: unknown): RedisTrouble | undefined {
    const reason: unknown = this.abort.signal.reason;
    if (reason instanceof RedisTrouble) return reason;
    return isRedisError(err) ? new RedisTrouble(undefined, redisErrorText(err)) : undefined;
  }

  private sayRedisTrouble(t: RedisTrouble): void {
    if (this.redisTroubleTold) return;
    this.redisTroubleTold = true;
    this.s.log.warn({ job: this.id, silentMs: t.silentMs, refused: t.refused }, 'Redis trouble; this run stops and leaves the job to be resumed');
    this.reporter.endProgress(t.refused ? 'stopped: Redis refused this worker' : 'stopped: Redis did not answer');
    this.reporter.reply(redisTroubleLine(t, this.data));
  }

  /**
   * Says why the run stopped, then gives the job back when Redis takes the move (a worker resumes it from its
   * last saved step); when it does not, the job's lock lapses and the stalled check hands it to a worker once
   * Redis is back, as after a crash. Never cleans up and never fails the job: Redis trouble is not the job's.
   */
  private async stepAside(t: RedisTrouble): Promise<never> {
    if (this.reporter) {
      this.sayRedisTrouble(t);
      await waitAtMost(this.reporter.flush(), 5_000, undefined);
    } else this.s.log.warn({ job: this.id, refused: t.refused }, 'Redis trouble before the job thread opened; the job is left to be resumed');
    // A silent Redis would hold the move until it answers, by which time the lock has lapsed: do not wait for it.
    if (t.refused !== undefined) {
      if (await waitAtMost(this.job.moveToDelayed(Date.now() + 1_000, this.token).then(() => true), 2_000, false)) throw new DelayedError();
    }
    throw new LostOwnership(t.message);
  }

  private abortFor(cause: NonNullable<JobRun['stopCause']>, reason: Error): void {
    if (this.abort.signal.aborted) return;
    this.stopCause = cause;
    this.abort.abort(reason);
  }

  // ---- the step loop -------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    for (;;) {
      const steps = this.def.steps(this.data);
      this.total = steps.length;
      if (this.data.cursor >= steps.length) return;
      const step = steps[this.data.cursor];
      this.assertSameSteps(steps);
      this.currentStep = step;
      this.duringFired = false;
      await this.checkStops();
      crashPoint(this.s.crashAt, step.name, 'before');
      this.status = 'running';
      this.blockedBy = undefined;
      this.workStartedAt = undefined;
      this.updateCard();
      const startedAt = this.s.clock.now();
      let skipped = false;
      // Not awaited: a drain must not start a Slack round trip late (the channel's pacing can hold a post for a
      // second). A question that failed to post is posted when the job reaches its step.
      if (!step.destructive) {
        this.aheadPosting = this.askAhead(steps, step).catch((err) => this.s.log.warn({ job: this.id, err: (err as Error).message }, 'could not ask ahead; asking when the step is reached'));
      }
      if (step.destructive) {
        // In flight means it was approved and its predicates passed before the crash: first ask whether the
        // effect already happened — if so, nothing is run, asked or gated again.
        if (this.data.inFlight === step.name) {
          if (!step.alreadyDone)
            throw new Stop('failed', `step "${step.label}" may have started before a restart and cannot tell whether it happened; check by hand before running the job again`);
          skipped = await step.alreadyDone(this.ctx);
        }
        if (!skipped) {
          if (step.approval) await this.approveRun(step);
          await this.gate(step);
          await this.checkStops();
          this.data.inFlight = step.name;
          // Both locks are re-asserted right before the call: a worker that stalled and lost the job (save()
          // extends the job lock) or whose cluster lock was taken never starts a destructive call.
          await this.keeper.assert();
          await this.save();
        }
      }
      this.workStartedAt = this.s.clock.now();
      const outcome: StepOutcome = skipped ? { done: 'already done before the restart; not repeated' } : await this.runStep(step);
      crashPoint(this.s.crashAt, step.name, 'ran');
      if ('stop' in outcome) {
        if (outcome.state) Object.assign(this.data.state, outcome.state);
        throw new Stop(outcome.reason ?? 'failed', outcome.stop);
      }
      const finishedAt = this.s.clock.now();
      if (outcome.state) Object.assign(this.data.state, outcome.state);
      const workMs = finishedAt - (this.workStartedAt ?? startedAt);
      this.data.records.push({ step: step.name, label: step.label, startedAt, finishedAt, workMs, summary: outcome.done, ...(skipped ? { skipped } : {}) });
      this.data.cursor += 1;
      this.data.inFlight = undefined;
      // A question asked ahead for a later step stays open; one of this step's is answered by now.
      if (this.data.pendingApproval?.step === step.name || !this.data.pendingApproval?.aheadOf) this.data.pendingApproval = undefined;
      const figures = outcome.figures ? ` · ${Object.entries(outcome.figures).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join(' · ')}` : '';
      const result = `✅ *${esc(step.label)}* — ${outcome.done}${figures} _(${this.clusterDuration(finishedAt - startedAt)})_`;
      // Saved with the step's completion (no write of its own): until Slack has it, a worker that takes over
      // after a crash posts it.
      this.data.unposted = [...(this.data.unposted ?? []), { step: step.name, text: result }];
      await this.save();
      // The result takes the place of the step's progress message: nothing of the step is left below it.
      this.reporter.stepDone(result, step.name);
      this.updateCard();
      await this.job.log(`${new Date(finishedAt).toISOString()} ${step.name}: ${outcome.done}`);
      await this.job.updateProgress({ step: this.data.cursor, total: this.total, name: step.name, label: step.label });
      crashPoint(this.s.crashAt, step.name, 'after');
    }
  }

  /**
   * Non-destructive steps get their port calls retried by retrying-ports.ts, so an error reaching here has
   * outlasted the retry policy. A destructive step's call is not repeated blindly: after a transient failure
   * the runner waits, asks `alreadyDone`, and runs the step again only when its effect did not happen.
   */
  private async runStep(step: Step<any, any>): Promise<StepOutcome> {
    if (!step.destructive) return step.run(this.ctx);
    return retryTransient(
      step.name,
      async (attempt) => {
        if (attempt > 1) {
          if (!step.alreadyDone)
            throw new Stop('failed', `step "${step.label}" failed with a transient error and cannot tell whether it happened; check by hand before running the job again`);
          if (await step.alreadyDone(this.ctx)) return { done: 'done (confirmed after a transient error)' };
          await this.keeper.assert();
          await this.save();
        }
        this.inDestructiveRun = true;
        try {
          return await step.run(this.ctx);
        } finally {
          this.inDestructiveRun = false;
        }
      },
      this.retryEnv(),
    );
  }

  // ---- approvals and predicates --------------------------------------------------------------------------

  private async approveRun(step: Step<any, any>): Promise<void> {
    const d = await this.decision(step.name, 'run', () => step.approval!(this.ctx));
    if (!d.approved) throw new Stop(d.by === 'timeout' ? 'approval-timeout' : 'rejected', this.verdict(d, step.label));
  }

  /** Named safety predicates, checked right before the destructive call; the blocking one is named in the thread. */
  private async gate(step: Step<any, any>): Promise<void> {
    if (!step.predicates?.length) return;
    const { clock } = this.s;
    const deadline = clock.now() + this.s.config.worker.predicateWait;
    let announced = '';
    for (;;) {
      // Read-only checks, so all at once (a terminate's eight took a tenth of a second one after another); the
      // first failing one in the declared order is the one named.
      const pending = step.predicates.filter((p) => !this.data.overrides[`${step.name}:${p.name}`]?.approved);
      // As if run in order: the first that throws or fails decides, whatever the later ones said.
      const settled = await Promise.allSettled(pending.map((p) => p.check(this.ctx)));
      let failing: { name: string; reason: string } | undefined;
      for (const [i, r] of settled.entries()) {
        if (r.status === 'rejected') throw r.reason;
        if (!r.value.ok) {
          failing = { name: pending[i].name, reason: r.value.reason ?? 'no reason given' };
          break;
        }
      }
      if (!failing) {
        if (announced || this.status === 'blocked') this.reporter.reply(`✅ Safety predicates for *${esc(step.label)}* pass now`);
        this.status = 'running';
        this.blockedBy = undefined;
        this.updateCard();
        return;
      }
      const overrideId = `${step.name}:override:${failing.name}`;
      if (announced !== failing.name) {
        announced = failing.name;
        this.status = 'blocked';
        this.blockedBy = failing.name;
        this.updateCard();
        // Once per distinct predicate and step, also across parks on the override question and restarts.
        const key = `${step.name}:${failing.name}`;
        if (!this.data.blockedShown?.includes(key)) {
          this.data.blockedShown = [...(this.data.blockedShown ?? []), key];
          await this.save();
          this.reporter.reply(`⛔ *${esc(step.label)}* is blocked by \`${failing.name}\`: ${esc(failing.reason)}`);
        }
      }
      if (clock.now() >= deadline || this.data.pendingApproval?.id === overrideId) {
        const d = await this.decision(
          overrideId,
          'override',
          async () => ({
            action: `override safety predicate \`${failing!.name}\` once, for: ${step.label}`,
            details: { Predicate: failing!.name, 'Why it blocks': failing!.reason },
          }),
          { approveLabel: `Override ${failing.name}`.slice(0, 75), rejectLabel: 'Stop the job' },
        );
        if (!d.approved) throw new Stop('blocked', `*${esc(step.label)}* was blocked by \`${failing.name}\`: ${esc(failing.reason)}; ${this.verdict(d, 'the override')}`);
        this.data.overrides[`${step.name}:${failing.name}`] = d;
        await this.save();
        this.reporter.reply(`⚠️ \`${failing.name}\` overridden for this step by <@${d.by}>`);
        continue;
      }
      await clock.sleep(this.s.config.worker.predicatePoll, this.abort.signal);
    }
  }

  /**
   * Returns the stored decision for `id`, or posts the question and parks the job (no worker held) until a
   * click promotes it or the deadline passes — when the safe default, rejection, is recorded.
   */
  private async decision(
    id: string,
    purpose: PendingApproval['purpose'],
    build: () => Promise<ApprovalRequest>,
    labels: { approveLabel?: string; rejectLabel?: string } = {},
  ): Promise<Decision> {
    const { clock } = this.s;
    const { access } = this.s.config;
    // One question at a time: the ahead one is in the thread (or known not to be) before another is asked.
    await this.aheadPosting;
    const stored = await this.s.approvals.get(this.id, id);
    if (stored) return this.taken(id, stored);
    let p = this.data.pendingApproval;
    if (p && p.id !== id && p.postedTs) {
      // Another question takes its place (an ahead question, then a wait asks Keep waiting / Abort): the old
      // buttons would answer nothing, so they go, and the step asks again when the job reaches it.
      await this.reporter.update(p.postedTs, closedQuestion(p.request, 'no longer asked: another question came first; it is asked again when the job gets there')).catch(() => undefined);
    }
    if (p && p.id === id && p.aheadOf) {
      // The job has reached the step it was asked ahead for: only now does the person's deadline start.
      p.aheadOf = undefined;
      p.deadline = Date.now() + access.approvalTimeout;
      await this.save();
      if (p.postedTs) {
        await this.reporter
          .update(p.postedTs, approvalMessage({ jobId: this.id, approvalId: id, request: p.request, approvers: approversOf(access, this.data.requester), deadlineAt: p.deadline, approveLabel: p.approveLabel, rejectLabel: p.rejectLabel }))
          .catch(() => undefined);
      }
    }
    if (!p || p.id !== id) {
      const request = await build();
      // Real time, also when the cluster clock runs faster: a person must get the whole approvalTimeout.
      p = { id, step: this.currentStep?.name ?? '', deadline: Date.now() + access.approvalTimeout, purpose, request, ...labels };
      this.data.pendingApproval = p;
      await this.save();
    }
    if (!p.postedTs) {
      p.postedTs = await this.reporter.postNow(
        approvalMessage({ jobId: this.id, approvalId: id, request: p.request, approvers: approversOf(access, this.data.requester), deadlineAt: p.deadline, approveLabel: p.approveLabel, rejectLabel: p.rejectLabel }),
      );
      await this.save();
      await this.job.log(`${new Date(clock.now()).toISOString()} approval requested: ${p.request.action}`);
    }
    this.status = 'waiting';
    if (Date.now() >= p.deadline) {
      const { decision } = await this.s.approvals.decide(this.id, id, { approved: false, by: 'timeout', at: Date.now() });
      await this.reporter.update(p.postedTs, decidedMessage(p.request, decision)).catch(() => undefined);
      this.data.pendingApproval = undefined;
      await this.save();
      await this.job.log(`${new Date(clock.now()).toISOString()} approval ${id}: ${decision.approved ? 'approved' : 'rejected'} by ${decision.by}`);
      return decision;
    }
    const quick = await this.quickDecision(id, p.deadline);
    if (quick) return this.taken(id, quick);
    throw new Park(p.deadline);
  }

  /** A decision that stands closes its open question. */
  private async taken(id: string, d: Decision): Promise<Decision> {
    if (this.data.pendingApproval?.id === id) {
      this.data.pendingApproval = undefined;
      await this.save();
    }
    return d;
  }

  /**
   * A click that lands a moment after the question (typically one asked ahead, posted while the step before it
   * ran) costs no park and resume: parking flushes the thread through Slack's pacing and hands the job back to
   * the queue, seconds of real time for a decision already made. Beyond the grace the worker is let go.
   */
  private async quickDecision(id: string, deadline: number): Promise<Decision | undefined> {
    const until = Math.min(Date.now() + PARK_GRACE_MS, deadline);
    while (Date.now() < until && !this.abort.signal.aborted) {
      await new Promise((r) => setTimeout(r, 100));
      const d = await this.s.approvals.get(this.id, id);
      if (d) return d;
    }
    return undefined;
  }

  /**
   * While a non-destructive step (a drain, a wait for green) runs, the next destructive step's question is
   * already in the thread: the approver decides during the wait instead of after it, and nothing is held. The
   * decision only consents; the predicates are still checked right before the call. Asked once, never over
   * another open question.
   */
  private async askAhead(steps: Step<any, any>[], current: Step<any, any>): Promise<void> {
    const { access } = this.s.config;
    if (!access.askAhead || this.data.pendingApproval) return;
    const next = steps.slice(this.data.cursor + 1).find((s) => s.destructive);
    if (!next?.approval || !next.askAhead || this.data.inFlight === next.name) return;
    if (await this.s.approvals.get(this.id, next.name)) return;
    const request = await next.approval(this.ctx);
    const p: PendingApproval = { id: next.name, step: next.name, deadline: Number.MAX_SAFE_INTEGER, purpose: 'run', request, aheadOf: current.label };
    this.data.pendingApproval = p;
    await this.save();
    p.postedTs = await this.reporter.postNow(
      approvalMessage({ jobId: this.id, approvalId: p.id, request, approvers: approversOf(access, this.data.requester), deadlineAt: p.deadline, aheadOf: current.label }),
    );
    await this.save();
    await this.job.log(`${new Date(this.s.clock.now()).toISOString()} approval requested ahead: ${request.action}`);
  }

  private verdict(d: Decision, what: string): string {
    return d.by === 'timeout' ? `no decision on ${esc(what)} before the deadline (the safe default is to reject)` : `${esc(what)} was rejected by <@${d.by}>`;
  }

  private async park(untilReal: number): Promise<void> {
    this.status = 'waiting';
    this.updateCard();
    // A wait's progress message stays as it is: the run that resumes the wait goes on editing it.
    await this.flushThread();
    const realWait = Math.max(0, untilReal - Date.now()) + 50;
    // Keep the cluster ours while nobody runs the job: until the deadline, plus the usual margin.
    await this.keeper.assert(realWait + LOCK_TTL_MS);
    // Parked is not crashed: the worker that resumes it has nothing to announce.
    this.data.runBy = undefined;
    await this.save();
    await this.job.moveToDelayed(Date.now() + realWait, this.token);
    // A click (or cancel) that landed while the job was still active found nothing to promote: wake ourselves.
    const id = this.data.pendingApproval?.id;
    if ((id && (await this.s.approvals.get(this.id, id))) || (await this.s.cancels.requestedBy(this.id))) {
      await this.job.promote().catch(() => undefined);
    }
  }

  /** SIGTERM: the state is saved at every step boundary already; say so and leave the job to the next worker. */
  private async handBack(): Promise<void> {
    this.status = 'queued';
    this.updateCard();
    this.data.runBy = undefined;
    this.data.handedBackBy = WORKER_ID;
    await this.save();
    this.reporter.endProgress('paused: this worker is shutting down; the next worker goes on');
    this.reporter.reply(handBackLine(this.currentStep, this.data));
    await this.flushThread();
    await this.job.moveToDelayed(Date.now(), this.token);
    this.s.log.info({ job: this.id }, 'job handed back for another worker (shutdown)');
  }

  /** A worker that finds another worker's mark on the job took it over after a crash, and says so. */
  private async announceResume(): Promise<void> {
    const crashed = this.data.runBy;
    const handedBy = this.data.handedBackBy;
    this.data.runBy = WORKER_ID;
    this.data.handedBackBy = undefined;
    await this.save();
    const line = resumeLine(crashed, handedBy, this.data, this.inFlightStep());
    if (line) this.reporter.reply(line);
  }

  /**
   * What an earlier run left unsaid in the thread, put right before this run says anything: its live progress
   * message is finalised (by the step's result when the step completed, else as interrupted) — or, when the job
   * was parked mid-wait, taken over and edited on — and the results Slack never confirmed are posted, in step
   * order. Results it did confirm are not posted again.
   */
  private recoverThread(): void {
    const { runBy: crashed, handedBackBy: handedBy } = this.data;
    const live = this.data.progressMessage;
    const pending = this.data.unposted ?? [];
    if (live) {
      const steps = this.def.steps(this.data);
      const label = steps.find((st) => st.name === live.step)?.label ?? live.step;
      if (pending.some((p) => p.step === live.step)) {
        // Its result, posted below in order, takes the message's place.
        this.reporter.adopt(live.step, live.ts);
      } else if (this.data.records.some((r) => r.step === live.step)) {
        // Its result replaced it already; only the record of that was lost.
        this.data.progressMessage = undefined;
      } else if (!crashed && !handedBy && steps[this.data.cursor]?.name === live.step) {
        this.reporter.adopt(live.step, live.ts, `*${esc(label)}*`);
      } else {
        this.reporter.closeStale(live.step, live.ts, interruptedLine(label, crashed, handedBy));
      }
    }
    for (const p of pending) this.reporter.stepDone(p.text, p.step);
  }

  /** Slack confirmed calls that change what a worker taking over must know: record it with the next save. */
  private onThreadState(st: ThreadState): void {
    let changed = this.data.progressMessage?.ts !== st.live?.ts;
    this.data.progressMessage = st.live ? { ...st.live } : undefined;
    const unposted = this.data.unposted ?? [];
    if (st.delivered.length && unposted.length) {
      const left = unposted.filter((u) => !st.delivered.includes(u.step));
      changed ||= left.length !== unposted.length;
      this.data.unposted = left.length ? left : undefined;
    }
    if (!changed || this.threadDirty) return;
    this.threadDirty = true;
    // A save that runs before this one carries the thread's state too (and clears the flag): then none is needed.
    const run = this.saveChain.then(() => (this.threadDirty ? this.write() : undefined));
    this.saveChain = run.catch(() => undefined);
    this.threadSaved = run.catch((err) => {
      this.threadDirty = false;
      if (!(err instanceof LostOwnership)) this.s.log.warn({ job: this.id, err: (err as Error).message }, 'could not save the thread state');
    });
  }

  /** Everything queued for the thread sent, and what Slack confirmed saved. */
  private async flushThread(): Promise<void> {
    await this.reporter.flush();
    await this.threadSaved;
  }

  private inFlightStep(): Step<any, any> | undefined {
    return this.data.inFlight ? this.def.steps(this.data).find((st) => st.name === this.data.inFlight) : undefined;
  }

  // ---- endings -------------------------------------------------------------------------------------------

  private async complete(): Promise<JobResult> {
    const summary = this.def.summary?.(this.ctx) ?? { text: `Done: ${this.data.records.length} steps.`, result: {} };
    this.status = 'completed';
    this.updateCard();
    this.reporter.endProgress();
    this.reporter.reply(`🏁 ${summary.text}${this.timingLine()}`);
    await this.finish();
    return { outcome: 'completed', summary: summary.text, ...summary.result };
  }

  /** The cluster lock is someone else's: stop, and put nothing back — that could undo the other job's work. */
  private lockLostStop(neverStarted = false): Stop {
    const lost = this.keeper.lost!;
    if (neverStarted) return new Stop('failed', `cluster ${esc(this.data.cluster)} is locked by \`${esc(lost.holder ?? 'another job')}\`; this job did not start and changed nothing`, []);
    return new Stop('failed', `${lost.message}; this job stopped before its next call to the cluster`, notRestoredLines(lost.holder, this.data, this.inFlightStep(), this.leftovers()));
  }

  /** The job's own account of what it left changed (its `leftovers` hook); nothing when it has none or fails. */
  private leftovers(): string[] {
    try {
      const lines = this.def.leftovers?.(this.data) ?? [];
      return Array.isArray(lines) ? lines.filter((l): l is string => typeof l === 'string' && l.trim() !== '') : [];
    } catch (err) {
      this.s.log.warn({ job: this.id, err: (err as Error).message }, 'the job could not name its leftovers; the thread names them in general terms');
      return [];
    }
  }

  private async stopEarly(stop: Stop): Promise<JobResult> {
    const step = this.currentStep;
    let restored: string[] = [];
    if (this.def.cleanup && !stop.notRestored) {
      this.cleaningUp = true;
      try {
        restored = await this.def.cleanup({ ...this.ctx, signal: new AbortController().signal }, stop.reason);
      } catch (err) {
        restored = [`⚠️ cleanup failed: ${esc((err as Error).message)} — check the cluster by hand`];
      }
    }
    const where = step ? ` at *${esc(step.label)}* (${stepOf(stepNumber(this.data), this.total)})` : '';
    const text = stopReport({ reason: stop.reason, detail: stop.detail, jobId: this.id, requester: this.data.requester, where, restored, notRestored: stop.notRestored });
    const open = this.data.pendingApproval;
    if (open?.postedTs) {
      // The question is moot now; leave no live buttons behind.
      await this.reporter.update(open.postedTs, closedQuestion(open.request, `no longer asked: the job stopped (${stop.reason})`)).catch(() => undefined);
      this.data.pendingApproval = undefined;
      await this.save();
    }
    this.status = stop.reason === 'failed' ? 'failed' : stop.reason === 'cancelled' ? 'cancelled' : 'stopped';
    this.stoppedWhy = stop.reason === 'approval-timeout' ? 'no decision in time' : stop.reason === 'blocked' ? `blocked by ${this.blockedBy ? `\`${this.blockedBy}\`` : 'a safety predicate'}` : stop.reason;
    this.updateCard();
    // A wait's "⏳" line must not read as still running under the stop message.
    this.reporter.endProgress(`stopped here (${stop.reason})`);
    this.reporter.reply(text);
    await this.job.log(`${new Date(this.s.clock.now()).toISOString()} stopped (${stop.reason}): ${stop.detail}`);
    await this.finish();
    await this.flushThread();
    this.endingTold = this.reporter.delivered();
    if (stop.reason === 'failed') throw new UnrecoverableError(stop.detail);
    return { outcome: stop.reason, summary: stop.detail, restored };
  }

  private async finish(): Promise<void> {
    await this.s.cancels.clear(this.id);
    await this.keeper.release();
    await this.s.approvals.keepFor(this.id, this.s.config.jobs.history.keepDays * 86_400);
    // The bot refuses a second dry run of a kind while one runs; once this one ends, the next may start at once.
    await releaseClaims(this.s, this.data, this.id, false);
  }

  /**
   * The cursor is an index into a list rebuilt from the saved state: if a deploy changed the list (a step added
   * or renamed), the index would point at another step, and a destructive one could be skipped or run twice.
   * Every finished step is recorded by name, so a mismatch is caught before anything runs.
   */
  private assertSameSteps(steps: Step<any, any>[]): void {
    const done = this.data.records;
    const n = Math.min(done.length, this.data.cursor);
    for (let i = 0; i < n; i++) {
      if (steps[i]?.name !== done[i].step) {
        throw new Stop(
          'failed',
          `this job's steps changed since it was planned (step ${i + 1} was \`${esc(done[i].step)}\`, this version of elk-ops has \`${esc(steps[i]?.name ?? 'nothing')}\` there), probably by a deploy in the middle of the job; nothing more was run. Check the cluster against the thread, then run the command again: a new run plans from what the cluster is now`,
        );
      }
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  private async openThread(): Promise<void> {
    if (!this.data.thread) {
      const channel = this.cluster.opsChannel;
      const ts = await this.s.slack.post(channel, jobCard(this.cardView())).catch((err) => {
        throw new UnrecoverableError(threadError(channel, this.data.cluster, err));
      });
      this.data.thread = { channel, ts };
      await this.save();
    }
    this.reporter = new ThreadReporter(this.s.slack, this.data.thread, this.s.log, undefined, (st) => this.onThreadState(st));
  }

  private retryEnv() {
    return {
      clock: this.s.clock,
      signal: this.abort.signal,
      onPersistent: (what: string, reason: string) => {
        this.s.log.warn({ job: this.id, call: what, err: reason }, 'transient errors persist; still retrying');
        this.reporter.reply(`⚠️ \`${esc(what)}\` keeps failing (${esc(reason)}); retrying with backoff for up to ${formatDuration(TRANSIENT_RETRY.budgetMs)} before giving up`);
      },
    };
  }

  private makeContext(): StepContext<any, any> {
    const raw = this.mod.createDeps(this.cluster, { clock: this.s.clock, clusterName: this.data.cluster, config: this.s.config });
    const deps = retryingPorts(raw, {
      retryable: () => !this.inDestructiveRun,
      blocked: () => this.keeper.lost ?? (!this.cleaningUp && this.stopCause === 'shutdown' ? (this.abort.signal.reason as Error) : undefined),
      retry: this.retryEnv(),
    });
    return {
      jobId: this.id,
      data: this.data,
      state: this.data.state,
      deps,
      clock: this.s.clock,
      signal: this.abort.signal,
      setState: async (patch) => {
        Object.assign(this.data.state, patch);
        await this.save();
      },
      progress: async (text) => {
        this.reporter.progress(text, this.currentStep?.name);
        this.updateCard();
        await this.job.log(`${new Date(this.s.clock.now()).toISOString()} ${text}`);
        if (!this.duringFired && this.currentStep) {
          this.duringFired = true;
          crashPoint(this.s.crashAt, this.currentStep.name, 'during');
        }
      },
      say: async (text) => {
        this.reporter.reply(text);
        await this.job.log(`${new Date(this.s.clock.now()).toISOString()} ${text}`);
      },
      log: async (line) => {
        await this.job.log(`${new Date(this.s.clock.now()).toISOString()} ${line}`);
      },
      decide: (id, q) => {
        const { approveLabel, rejectLabel, ...request } = q;
        return this.decision(`${this.currentStep?.name ?? 'job'}:${id}`, 'continue', async () => request, { approveLabel, rejectLabel });
      },
    };
  }

  /** The safe points: between steps and right before a destructive call. */
  private async checkStops(): Promise<void> {
    if (this.keeper.lost) throw this.keeper.lost;
    if (this.stopCause === 'shutdown') throw new HandBack();
    const by = await this.s.cancels.requestedBy(this.id);
    if (by) throw new Stop('cancelled', `cancelled by <@${by}>`);
  }

  /**
   * Writes the job's state, but only while this worker still holds the job's lock. Under CPU starvation the
   * stalled-job checker can hand the job to another worker while this one still runs; extending the lock
   * (which fails once it is lost) makes sure only the current owner ever writes or acts.
   */
  private save(): Promise<void> {
    const run = this.saveChain.then(() => this.write());
    this.saveChain = run.catch(() => undefined);
    return run;
  }

  /** Extends this run's BullMQ job lock; false when another run holds the job now. */
  private async ownsJob(): Promise<boolean> {
    return (await this.job.extendLock(this.token, this.s.config.worker.lockDuration)) === 1;
  }

  private async write(): Promise<void> {
    if (this.token && !(await this.ownsJob())) throw new LostOwnership();
    // This write carries the thread's state as it is now; a change from here on queues a save of its own.
    this.threadDirty = false;
    await this.job.updateData(this.data);
  }

  /** Since the request: real time (what people read), and cluster time (what the sandbox's clock counts). */
  private elapsed(): { realMs: number; clusterMs: number } {
    const { clock } = this.s;
    const realStart = this.data.requestedAtReal ?? Date.now() - clock.toReal(clock.now() - this.data.requestedAt);
    return { realMs: Math.max(0, Date.now() - realStart), clusterMs: Math.max(0, clock.now() - this.data.requestedAt) };
  }

  private cardView(): JobCardView {
    const { clock } = this.s;
    const elapsed = this.elapsed();
    return {
      jobId: this.id,
      title: this.def.title(this.data),
      cluster: this.data.cluster,
      requester: this.data.requester,
      status: this.status,
      step: this.status === 'completed' ? this.total : stepNumber(this.data),
      total: this.total,
      stepLabel: this.currentStep?.label,
      blockedBy: this.blockedBy,
      stoppedWhy: this.stoppedWhy,
      elapsedRealMs: elapsed.realMs,
      clusterTime: clock.speed !== 1 ? { elapsedMs: elapsed.clusterMs, speed: clock.speed } : undefined,
      estimate: this.status === 'completed' ? this.estimateAccuracy() : this.etaText(),
    };
  }

  /** "about 40m left": the plan's estimate corrected by what the steps so far took, in real time. */
  private etaText(): string | undefined {
    if (!['running', 'waiting', 'blocked'].includes(this.status) || this.total === 0) return undefined;
    const steps = this.def.steps(this.data);
    const ms = remainingMs({
      estimate: this.plannedEstimate(),
      done: this.data.records.map((r) => ({ step: r.step, workMs: workOf(r) })),
      remaining: steps.slice(this.data.cursor).map((st) => st.name),
      currentMs: this.workStartedAt !== undefined ? this.s.clock.now() - this.workStartedAt : 0,
    });
    if (ms === undefined) return undefined;
    const { speed } = this.s.clock;
    return speed !== 1 ? `about ${formatDuration(ms / speed)} left (${formatDuration(ms)} cluster time)` : `about ${formatDuration(ms)} left`;
  }

  /** A plan step may record `state.estimate` ({ totalMs, groups }) from the cluster's own figures. */
  private plannedEstimate(): PlannedEstimate | undefined {
    const e = this.data.state.estimate as PlannedEstimate | undefined;
    return e && typeof e.totalMs === 'number' ? e : undefined;
  }

  /**
   * "estimated 1h 40m, took 1h 52m of step work, +12%": the plan estimates the steps' work from the cluster's
   * figures (as the ETA re-estimates it from measured work), so time spent waiting for approvals is not held
   * against it; it is named beside it instead. Cluster time, labelled when that clock is accelerated.
   */
  private estimateAccuracy(): string | undefined {
    const e = this.plannedEstimate();
    if (!e || !this.data.records.length || (this.data.args as { dryRun?: boolean } | undefined)?.dryRun) return undefined;
    return estimateAccuracy(e, this.data.records, this.s.clock.speed);
  }

  /** The final line's timing: the job's elapsed time as the card counts it (real, then cluster time) and the estimate's error. */
  private timingLine(): string {
    const { realMs, clusterMs } = this.elapsed();
    const elapsed = `elapsed ${formatDuration(realMs)}${clusterTimeNote(clusterMs, this.s.clock.speed)}`;
    const accuracy = this.estimateAccuracy();
    return `\n⏱️ ${elapsed}${accuracy ? ` · ${accuracy}` : ''}`;
  }

  /** A duration measured on the cluster clock, labelled as such when that clock is accelerated. */
  private clusterDuration(ms: number): string {
    return clusterDuration(ms, this.s.clock.speed);
  }

  private updateCard(): void {
    this.reporter?.updateCard(jobCard(this.cardView()));
  }
}
