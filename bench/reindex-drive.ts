import type { Clock } from '../src/clock';
import type { ApprovalRequest, JobData, StepContext, StepOutcome, StopReason } from '../src/runner/types';
import { reindexJob } from '../jobs/reindex';
import type { ReindexArgs, ReindexDeps } from '../jobs/reindex/types';

/**
 * A minimal in-process loop with the runner's contract (cursor, records, inFlight + alreadyDone, approvals
 * kept across restarts, predicates before destructive steps, cleanup on stop). For unit tests and benchmarks
 * that need the real steps without BullMQ, Redis and Slack; the end-to-end tests use the real runner.
 */
export interface DriveOptions {
  deps: ReindexDeps;
  clock: Clock;
  args?: ReindexArgs;
  /** Continue a job: the data a crashed run left behind. */
  data?: JobData<ReindexArgs>;
  jobId?: string;
  /** Decisions already given, keyed by step; the driver asks `decide` only for the others. */
  approvals?: Map<string, boolean>;
  decide?: (step: string, request: ApprovalRequest) => boolean;
  /** Simulated crash: `<step>:<before|after|during>`. */
  crashAt?: string;
  /** Cancel before this step runs. */
  cancelBefore?: string;
  onStep?: (step: string, phase: 'start' | 'end', at: number) => void;
}

export interface DriveResult {
  outcome: 'completed' | 'crashed' | StopReason;
  data: JobData<ReindexArgs>;
  approvals: Map<string, boolean>;
  asked: string[];
  said: string[];
  stopText?: string;
  cleanup?: string[];
}

class Crash extends Error {}

export async function drive(o: DriveOptions): Promise<DriveResult> {
  const def = reindexJob.definition;
  const jobId = o.jobId ?? 'reindex-test-1';
  const data: JobData<ReindexArgs> =
    o.data ?? {
      kind: 'reindex',
      cluster: 'prod',
      requester: 'UALICE',
      channel: 'COPS',
      args: o.args!,
      requestedAt: o.clock.now(),
      cursor: 0,
      state: {},
      records: [],
      overrides: {},
    };
  const approvals = o.approvals ?? new Map<string, boolean>();
  const asked: string[] = [];
  const said: string[] = [];
  let current = '';
  let duringFired = false;
  const ctx: StepContext<ReindexArgs, ReindexDeps> = {
    jobId,
    data,
    state: data.state,
    deps: o.deps,
    clock: o.clock,
    signal: new AbortController().signal,
    setState: async (patch) => void Object.assign(data.state, patch),
    progress: async (text) => {
      said.push(text);
      if (!duringFired) {
        duringFired = true;
        if (o.crashAt === `${current}:during`) throw new Crash(current);
      }
    },
    say: async (text) => void said.push(text),
    log: async () => undefined,
    decide: async () => ({ approved: true, by: 'UBOB', at: o.clock.now() }),
  };
  const stop = async (reason: StopReason, text: string): Promise<DriveResult> => {
    const cleanup = await def.cleanup!(ctx, reason);
    return { outcome: reason, data, approvals, asked, said, stopText: text, cleanup };
  };
  try {
    for (;;) {
      const steps = def.steps(data);
      if (data.cursor >= steps.length) return { outcome: 'completed', data, approvals, asked, said };
      const step = steps[data.cursor];
      current = step.name;
      duringFired = false;
      if (o.cancelBefore === step.name) return await stop('cancelled', `cancelled before ${step.name}`);
      if (o.crashAt === `${step.name}:before`) throw new Crash(step.name);
      const startedAt = o.clock.now();
      o.onStep?.(step.name, 'start', startedAt);
      let skipped = false;
      if (step.destructive) {
        // As the runner does: an in-flight step first asks whether its effect already happened.
        if (data.inFlight === step.name) skipped = await step.alreadyDone!(ctx);
        if (!skipped) {
          if (step.approval) {
            if (!approvals.has(step.name)) {
              const request = await step.approval(ctx);
              asked.push(request.action);
              approvals.set(step.name, o.decide ? o.decide(step.name, request) : true);
            }
            if (!approvals.get(step.name)) return await stop('rejected', `${step.name} rejected`);
          }
          // A failing predicate is re-checked for a while before the job stops.
          for (const p of step.predicates ?? []) {
            const deadline = o.clock.now() + 120_000;
            for (let r = await p.check(ctx); !r.ok; r = await p.check(ctx)) {
              if (o.clock.now() >= deadline) return await stop('blocked', `${step.name} blocked by ${p.name}: ${r.reason}`);
              await o.clock.sleep(1_000);
            }
          }
          data.inFlight = step.name;
        }
      }
      const outcome: StepOutcome = skipped ? { done: 'already done' } : await step.run(ctx);
      if (outcome.state) Object.assign(data.state, outcome.state);
      if ('stop' in outcome) return await stop(outcome.reason ?? 'failed', outcome.stop);
      const finishedAt = o.clock.now();
      data.records.push({ step: step.name, label: step.label, startedAt, finishedAt, summary: outcome.done, ...(skipped ? { skipped } : {}) });
      data.cursor += 1;
      data.inFlight = undefined;
      o.onStep?.(step.name, 'end', finishedAt);
      if (o.crashAt === `${step.name}:after`) throw new Crash(step.name);
    }
  } catch (e) {
    if (e instanceof Crash) return { outcome: 'crashed', data: structuredClone(data), approvals, asked, said };
    throw e;
  }
}
