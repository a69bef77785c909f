import type { Clock } from '../src/clock';
import type { ApprovalRequest, Decision, JobData, JobDefinition, Step, StepContext, StepOutcome, StopReason } from '../src/runner/types';

export type Phase = 'before' | 'after' | 'during';

/** The people and the process around a job, as a test plays them. */
export interface DriveHooks<Args, Deps> {
  /** Asked only for steps with an approval; the hook builds the request (`step.approval(ctx)`) if it needs it. False stops the job as rejected. */
  approve(step: Step<Args, Deps>, ctx: StepContext<Args, Deps>): Promise<boolean>;
  /** Answers a step's `ctx.decide`; 'park' ends the run where the runner would park the job unanswered. */
  decide(id: string, question: ApprovalRequest): Decision | 'park';
  /** A SIGKILL at this boundary; `during` is the step's first progress line, i.e. with its effect under way. */
  crashAt(step: string, phase: Phase): boolean;
  cancelBefore?(step: string): boolean;
  onStep?(step: string, phase: 'start' | 'end', at: number): void;
}

export interface DriveStepsOptions<Args, Deps> {
  /** Advanced in place, as the runner advances the job's saved data. */
  data: JobData<Args>;
  deps: Deps;
  clock: Clock;
  jobId: string;
  signal?: AbortSignal;
  /** Clock ms failing predicates are re-checked, every second, before the step stops as blocked. */
  predicateWait: number;
  hooks: DriveHooks<Args, Deps>;
}

export interface DriveStepsResult<Args> {
  outcome: 'completed' | 'crashed' | 'parked' | StopReason;
  /** A copy: a step cut off by a crash may still be running and must not change what the test inspects. */
  data: JobData<Args>;
  /** Progress lines and messages, in order. */
  said: string[];
  /** `<step> <predicate>: <reason>` for every failing check. */
  blockedBy: string[];
  /** Why the job stopped, or the id of the question it parked on. */
  detail?: string;
  cleanup?: string[];
  summary?: string;
}

/** A simulated SIGKILL; tests also throw it from wrapped ports (e.g. right after an AWS call returned). */
export class Crash extends Error {}
class Park extends Error {}
class Stop {
  constructor(
    readonly reason: StopReason,
    readonly detail: string,
  ) {}
}

/**
 * The step runner's contract (src/runner/runner.ts) in process, for unit tests and benchmarks that need a
 * job's real steps without BullMQ, Redis and Slack; the end-to-end tests use the real runner.
 */
export async function driveSteps<Args, Deps>(definition: JobDefinition<Args, Deps>, o: DriveStepsOptions<Args, Deps>): Promise<DriveStepsResult<Args>> {
  const { data, clock, hooks } = o;
  const said: string[] = [];
  const blockedBy: string[] = [];
  let current = '';
  let duringFired = false;
  const ctx: StepContext<Args, Deps> = {
    jobId: o.jobId,
    data,
    state: data.state,
    deps: o.deps,
    clock,
    signal: o.signal ?? new AbortController().signal,
    setState: async (patch) => void Object.assign(data.state, patch),
    progress: async (text) => {
      said.push(text);
      if (!duringFired) {
        duringFired = true;
        if (hooks.crashAt(current, 'during')) throw new Crash(current);
      }
    },
    say: async (text) => void said.push(text),
    log: async () => undefined,
    decide: async (id, question) => {
      const d = hooks.decide(id, question);
      if (d === 'park') throw new Park(id);
      return d;
    },
  };

  // All predicates each round, so that they pass together and every blocker is listed.
  const gate = async (step: Step<Args, Deps>): Promise<void> => {
    const deadline = clock.now() + o.predicateWait;
    for (;;) {
      const failing: string[] = [];
      for (const p of step.predicates ?? []) {
        const r = await p.check(ctx);
        if (!r.ok) failing.push(`${p.name}: ${r.reason}`);
      }
      if (!failing.length) return;
      blockedBy.push(...failing.map((f) => `${step.name} ${f}`));
      if (clock.now() >= deadline) throw new Stop('blocked', `${step.name} blocked by ${failing[0]}`);
      await clock.sleep(1000);
    }
  };

  /** Runs to the end and returns the job's summary text; stops, crashes and parks are thrown. */
  const run = async (): Promise<string | undefined> => {
    for (;;) {
      const steps = definition.steps(data);
      if (data.cursor >= steps.length) return definition.summary?.(ctx).text;
      const step = steps[data.cursor];
      current = step.name;
      duringFired = false;
      if (hooks.cancelBefore?.(step.name)) throw new Stop('cancelled', `cancelled before ${step.name}`);
      if (hooks.crashAt(step.name, 'before')) throw new Crash(step.name);
      const startedAt = clock.now();
      hooks.onStep?.(step.name, 'start', startedAt);
      let skipped = false;
      if (step.destructive) {
        // In flight means approved and gated before the crash: only whether the effect happened is left to ask.
        if (data.inFlight === step.name) {
          if (!step.alreadyDone) throw new Error(`${step.name} cannot tell whether it happened`);
          skipped = await step.alreadyDone(ctx);
        }
        if (!skipped) {
          if (step.approval && !(await hooks.approve(step, ctx))) throw new Stop('rejected', `${step.name} rejected`);
          await gate(step);
          data.inFlight = step.name;
        }
      }
      const outcome: StepOutcome = skipped ? { done: 'already done' } : await step.run(ctx);
      if (outcome.state) Object.assign(data.state, outcome.state);
      if ('stop' in outcome) throw new Stop(outcome.reason ?? 'failed', outcome.stop);
      const finishedAt = clock.now();
      data.records.push({ step: step.name, label: step.label, startedAt, finishedAt, summary: outcome.done, ...(skipped ? { skipped } : {}) });
      data.cursor += 1;
      data.inFlight = undefined;
      hooks.onStep?.(step.name, 'end', finishedAt);
      if (hooks.crashAt(step.name, 'after')) throw new Crash(step.name);
    }
  };

  const end = (outcome: DriveStepsResult<Args>['outcome'], more: Partial<DriveStepsResult<Args>> = {}): DriveStepsResult<Args> => ({
    outcome,
    data: structuredClone(data),
    said,
    blockedBy,
    ...more,
  });
  try {
    return end('completed', { summary: await run() });
  } catch (err) {
    if (err instanceof Crash) return end('crashed');
    if (err instanceof Park) return end('parked', { detail: err.message });
    // As in the runner, any other error stops the job as failed, with its cleanup.
    const stop = err instanceof Stop ? err : new Stop('failed', (err as Error).message ?? String(err));
    const cleanup = (await definition.cleanup?.({ ...ctx, signal: new AbortController().signal }, stop.reason)) ?? [];
    return end(stop.reason, { detail: stop.detail, cleanup });
  }
}
