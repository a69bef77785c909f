import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock';
import type { ClusterConfig, Config } from '../config/schema';
import { formatDuration } from '../config/duration';
import type { Logger } from '../log';
import type { ClusterLock } from '../queues/cluster-lock';
import { approvalMessage, closedQuestion, decidedMessage } from '../slack/blocks/approval';
import { jobCard, type JobCardView } from '../slack/blocks/job-card';
import { esc } from '../slack/blocks/text';
import type { SlackPoster } from '../slack/slack-poster';
import { ThreadReporter } from '../slack/thread-reporter';
import type { ApprovalStore } from './approval-store';
import type { CancelFlags } from './cancel-flag';
import { crashPoint } from './crash-point';
import { isTransient } from './transient-error';
import type {
  ApprovalRequest,
  Decision,
  JobData,
  JobDefinition,
  JobKind,
  JobModule,
  PendingApproval,
  Step,
  StepContext,
  StepOutcome,
  StopReason,
} from './types';

/** What both the bot and the workers share: config, clock, the Redis-backed stores and the Slack poster. */
export interface CoreServices {
  config: Config;
  clock: Clock;
  redis: Redis;
  lock: ClusterLock;
  approvals: ApprovalStore;
  cancels: CancelFlags;
  slack: SlackPoster;
}

export interface RunnerServices extends CoreServices {
  modules: Partial<Record<JobKind, JobModule<any, any>>>;
  log: Logger;
  /** Test hook (ELK_CRASH_AT): kill this process with SIGKILL at a named step boundary. */
  crashAt?: string;
}

export interface JobResult {
  outcome: 'completed' | StopReason;
  summary: string;
  [key: string]: unknown;
}

/** Cluster lock lifetime while a worker is alive; renewed every third of it. Real milliseconds. */
const LOCK_TTL_MS = 10 * 60_000;

class Park {
  constructor(readonly untilClock: number) {}
}

/** Another worker owns the job now (ours stalled): stop touching it, post nothing, clean nothing. */
class LostOwnership extends Error {}

class Stop {
  constructor(
    readonly reason: StopReason,
    readonly detail: string,
  ) {}
}

/** The BullMQ processor for every job kind: runs the job's steps from its saved cursor. */
export function createProcessor(s: RunnerServices) {
  return async (job: Job<JobData>, token?: string): Promise<JobResult> => {
    const mod = s.modules[job.data.kind];
    if (!mod) throw new UnrecoverableError(`no job module is registered for kind "${job.data.kind}"`);
    const cluster = s.config.clusters[job.data.cluster];
    if (!cluster) throw new UnrecoverableError(`cluster "${job.data.cluster}" is not in the configuration any more`);
    return new JobRun(job, token ?? '', mod, cluster, s).execute();
  };
}

class JobRun {
  private readonly data: JobData;
  private readonly def: JobDefinition<any, any>;
  private readonly abort = new AbortController();
  private reporter!: ThreadReporter;
  private ctx!: StepContext<any, any>;
  private total = 0;
  private currentStep: Step<any, any> | undefined;
  private status: JobCardView['status'] = 'running';
  private duringFired = false;

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
  }

  private get id(): string {
    return this.job.id!;
  }

  async execute(): Promise<JobResult> {
    const { s } = this;
    if (this.def.destructive) {
      const got = await s.lock.acquire(this.data.cluster, this.id, LOCK_TTL_MS);
      if (!got.ok) throw new UnrecoverableError(`cluster ${this.data.cluster} is locked by ${got.holder}; this job did not start`);
    }
    await this.openThread();
    this.ctx = this.makeContext();
    const watchdog = this.startWatchdog();
    try {
      await this.loop();
      return await this.complete();
    } catch (err) {
      if (err instanceof LostOwnership) {
        s.log.warn({ job: this.id }, 'job lock lost to another worker; this run stops without touching the job');
        throw err;
      }
      if (err instanceof Park) {
        await this.park(err.untilClock);
        throw new DelayedError();
      }
      const stop =
        err instanceof Stop
          ? err
          : this.abort.signal.aborted
            ? new Stop('cancelled', `cancelled by <@${(await s.cancels.requestedBy(this.id)) ?? 'someone'}>`)
            : new Stop('failed', (err as Error).message ?? String(err));
      return await this.stopEarly(stop);
    } finally {
      clearInterval(watchdog);
      await this.reporter.flush();
    }
  }

  // ---- the step loop -------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    for (;;) {
      const steps = this.def.steps(this.data);
      this.total = steps.length;
      if (this.data.cursor >= steps.length) return;
      const step = steps[this.data.cursor];
      this.currentStep = step;
      this.duringFired = false;
      await this.checkCancel();
      crashPoint(this.s.crashAt, step.name, 'before');
      this.status = 'running';
      this.updateCard();
      const startedAt = this.s.clock.now();
      let skipped = false;
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
          await this.checkCancel();
          this.data.inFlight = step.name;
          // save() re-asserts the job lock: a worker that stalled and lost the job never starts a destructive call.
          await this.save();
        }
      }
      const outcome: StepOutcome = skipped ? { done: 'already done before the restart; not repeated' } : await this.runStep(step);
      crashPoint(this.s.crashAt, step.name, 'ran');
      if ('stop' in outcome) {
        if (outcome.state) Object.assign(this.data.state, outcome.state);
        throw new Stop(outcome.reason ?? 'failed', outcome.stop);
      }
      const finishedAt = this.s.clock.now();
      if (outcome.state) Object.assign(this.data.state, outcome.state);
      this.data.records.push({ step: step.name, label: step.label, startedAt, finishedAt, summary: outcome.done, ...(skipped ? { skipped } : {}) });
      this.data.cursor += 1;
      this.data.inFlight = undefined;
      this.data.pendingApproval = undefined;
      await this.save();
      const figures = outcome.figures ? ` · ${Object.entries(outcome.figures).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join(' · ')}` : '';
      this.reporter.reply(`✅ *${esc(step.label)}* — ${outcome.done}${figures} _(${formatDuration(finishedAt - startedAt)})_`);
      await this.job.log(`${new Date(finishedAt).toISOString()} ${step.name}: ${outcome.done}`);
      await this.job.updateProgress({ step: this.data.cursor, total: this.total, name: step.name, label: step.label });
      crashPoint(this.s.crashAt, step.name, 'after');
    }
  }

  /** Transient faults (5xx, connection resets, timeouts) are retried; a destructive step is asked first whether it already happened. */
  private async runStep(step: Step<any, any>): Promise<StepOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step.run(this.ctx);
      } catch (err) {
        if (err instanceof Park || err instanceof Stop || this.abort.signal.aborted || !isTransient(err) || attempt >= 5) throw err;
        this.s.log.warn({ job: this.id, step: step.name, attempt, err: (err as Error).message }, 'transient error; retrying step');
        await this.s.clock.sleep(Math.min(30_000, 1000 * 2 ** attempt), this.abort.signal);
        if (step.destructive && step.alreadyDone && (await step.alreadyDone(this.ctx))) return { done: 'done (confirmed after a transient error)' };
      }
    }
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
      let failing: { name: string; reason: string } | undefined;
      for (const p of step.predicates) {
        if (this.data.overrides[`${step.name}:${p.name}`]?.approved) continue;
        const r = await p.check(this.ctx);
        if (!r.ok) {
          failing = { name: p.name, reason: r.reason ?? 'no reason given' };
          break;
        }
      }
      if (!failing) {
        if (announced) this.reporter.reply(`✅ Safety predicates for *${esc(step.label)}* pass now`);
        return;
      }
      const overrideId = `${step.name}:override:${failing.name}`;
      if (announced !== failing.name) {
        announced = failing.name;
        this.status = 'blocked';
        this.updateCard();
        this.reporter.reply(`⛔ *${esc(step.label)}* is blocked by \`${failing.name}\`: ${esc(failing.reason)}`);
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
    const stored = await this.s.approvals.get(this.id, id);
    if (stored) {
      if (this.data.pendingApproval?.id === id) {
        this.data.pendingApproval = undefined;
        await this.save();
      }
      return stored;
    }
    let p = this.data.pendingApproval;
    if (!p || p.id !== id) {
      const request = await build();
      p = { id, step: this.currentStep?.name ?? '', deadline: clock.now() + this.s.config.access.approvalTimeout, purpose, request };
      this.data.pendingApproval = p;
      await this.save();
    }
    if (!p.postedTs) {
      p.postedTs = await this.reporter.postNow(
        approvalMessage({ jobId: this.id, approvalId: id, request: p.request, deadlineText: this.timeText(p.deadline), ...labels }),
      );
      await this.save();
      await this.job.log(`${new Date(clock.now()).toISOString()} approval requested: ${p.request.action}`);
    }
    if (clock.now() >= p.deadline) {
      const { decision } = await this.s.approvals.decide(this.id, id, { approved: false, by: 'timeout', at: clock.now() });
      await this.reporter.update(p.postedTs, decidedMessage(p.request, decision, this.timeText(decision.at))).catch(() => undefined);
      this.data.pendingApproval = undefined;
      await this.save();
      await this.job.log(`${new Date(clock.now()).toISOString()} approval ${id}: ${decision.approved ? 'approved' : 'rejected'} by ${decision.by}`);
      return decision;
    }
    throw new Park(p.deadline);
  }

  private verdict(d: Decision, what: string): string {
    return d.by === 'timeout' ? `no decision on ${esc(what)} before the deadline (the safe default is to reject)` : `${esc(what)} was rejected by <@${d.by}>`;
  }

  private async park(untilClock: number): Promise<void> {
    const { clock } = this.s;
    this.status = 'waiting for approval';
    this.updateCard();
    await this.reporter.flush();
    const realWait = clock.toReal(Math.max(0, untilClock - clock.now())) + 50;
    // Keep the cluster ours while nobody runs the job: until the deadline, plus the usual margin.
    if (this.def.destructive) await this.s.lock.acquire(this.data.cluster, this.id, realWait + LOCK_TTL_MS);
    await this.job.moveToDelayed(Date.now() + realWait, this.token);
    // A click (or cancel) that landed while the job was still active found nothing to promote: wake ourselves.
    const id = this.data.pendingApproval?.id;
    if ((id && (await this.s.approvals.get(this.id, id))) || (await this.s.cancels.requestedBy(this.id))) {
      await this.job.promote().catch(() => undefined);
    }
  }

  // ---- endings -------------------------------------------------------------------------------------------

  private async complete(): Promise<JobResult> {
    const summary = this.def.summary?.(this.ctx) ?? { text: `Done: ${this.data.records.length} steps.`, result: {} };
    this.status = 'completed';
    this.updateCard();
    this.reporter.reply(`🏁 ${summary.text}`);
    await this.finish();
    return { outcome: 'completed', summary: summary.text, ...summary.result };
  }

  private async stopEarly(stop: Stop): Promise<JobResult> {
    const step = this.currentStep;
    let restored: string[] = [];
    if (this.def.cleanup) {
      try {
        restored = await this.def.cleanup({ ...this.ctx, signal: new AbortController().signal }, stop.reason);
      } catch (err) {
        restored = [`⚠️ cleanup failed: ${esc((err as Error).message)} — check the cluster by hand`];
      }
    }
    const heading: Record<StopReason, string> = {
      cancelled: '🛑 *Cancelled*',
      rejected: '🛑 *Stopped: rejected*',
      'approval-timeout': '🛑 *Stopped: no decision in time*',
      blocked: '⛔ *Stopped: blocked by a safety predicate*',
      failed: '❌ *Failed*',
    };
    const where = step ? ` at *${esc(step.label)}* (step ${this.data.cursor + 1} of ${this.total})` : '';
    const lines = [
      `${heading[stop.reason]}${where}: ${stop.detail}`,
      restored.length ? `*State of the cluster now:*\n${restored.map((l) => `• ${l}`).join('\n')}` : '',
      `*What you can do:* ${
        stop.reason === 'failed'
          ? 'fix the cause named above, then run the command again: finished work is not repeated'
          : 'nothing is left half-done; run the command again when you are ready'
      }. \`/elk status ${this.id}\` shows every step.`,
    ].filter(Boolean);
    const open = this.data.pendingApproval;
    if (open?.postedTs) {
      // The question is moot now; leave no live buttons behind.
      await this.reporter.update(open.postedTs, closedQuestion(open.request, `no longer asked: the job stopped (${stop.reason})`)).catch(() => undefined);
      this.data.pendingApproval = undefined;
      await this.save();
    }
    this.status = stop.reason === 'failed' || stop.reason === 'blocked' ? 'failed' : stop.reason === 'cancelled' ? 'cancelled' : 'rejected';
    this.updateCard();
    this.reporter.reply(lines.join('\n'));
    await this.job.log(`${new Date(this.s.clock.now()).toISOString()} stopped (${stop.reason}): ${stop.detail}`);
    await this.finish();
    if (stop.reason === 'failed') {
      await this.reporter.flush();
      throw new UnrecoverableError(stop.detail);
    }
    return { outcome: stop.reason, summary: stop.detail, restored };
  }

  private async finish(): Promise<void> {
    await this.s.cancels.clear(this.id);
    if (this.def.destructive) await this.s.lock.release(this.data.cluster, this.id);
  }

  // ---- plumbing ------------------------------------------------------------------------------------------

  private async openThread(): Promise<void> {
    if (!this.data.thread) {
      const channel = this.cluster.opsChannel;
      const ts = await this.s.slack.post(channel, jobCard(this.cardView()));
      this.data.thread = { channel, ts };
      await this.save();
    }
    this.reporter = new ThreadReporter(this.s.slack, this.data.thread, this.s.log);
  }

  private makeContext(): StepContext<any, any> {
    const deps = this.mod.createDeps(this.cluster, { clock: this.s.clock, clusterName: this.data.cluster });
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
        this.reporter.progress(text);
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

  /** Renews the cluster lock and turns a cancel request into an abort, promptly, even during long waits. */
  private startWatchdog(): NodeJS.Timeout {
    let last = Date.now();
    return setInterval(async () => {
      try {
        if (!this.abort.signal.aborted && (await this.s.cancels.requestedBy(this.id))) this.abort.abort(new Error('cancelled'));
        if (this.def.destructive && Date.now() - last > LOCK_TTL_MS / 3) {
          last = Date.now();
          await this.s.lock.acquire(this.data.cluster, this.id, LOCK_TTL_MS);
        }
      } catch (err) {
        this.s.log.warn({ job: this.id, err: (err as Error).message }, 'watchdog check failed');
      }
    }, 250);
  }

  private async checkCancel(): Promise<void> {
    const by = await this.s.cancels.requestedBy(this.id);
    if (by) throw new Stop('cancelled', `cancelled by <@${by}>`);
  }

  /**
   * Writes the job's state, but only while this worker still holds the job's lock. Under CPU starvation the
   * stalled-job checker can hand the job to another worker while this one still runs; extending the lock
   * (which fails once it is lost) makes sure only the current owner ever writes or acts.
   */
  private async save(): Promise<void> {
    if (this.token && (await this.job.extendLock(this.token, this.s.config.worker.lockDuration)) !== 1) throw new LostOwnership();
    await this.job.updateData(this.data);
  }

  private cardView(): JobCardView {
    return {
      jobId: this.id,
      title: this.def.title(this.data),
      cluster: this.data.cluster,
      requester: this.data.requester,
      status: this.status,
      step: this.status === 'completed' ? this.total : this.data.cursor + (this.status === 'running' ? 1 : 0),
      total: this.total,
      stepLabel: this.currentStep?.label,
      elapsedMs: this.s.clock.now() - this.data.requestedAt,
    };
  }

  private updateCard(): void {
    this.reporter?.updateCard(jobCard(this.cardView()));
  }

  private timeText(clockMs: number): string {
    return new Date(clockMs).toISOString().slice(11, 16) + ' UTC';
  }
}
