import type { Clock } from '../src/clock';
import type { ApprovalRequest, Decision, JobData, StepContext } from '../src/runner/types';
import type { UpgradeArgs } from '../jobs/upgrade/args';
import { upgradeDefinition } from '../jobs/upgrade/definition';
import type { UpgradeDeps } from '../jobs/upgrade/ports';

export type Phase = 'before' | 'after' | 'during';

export interface RunOptions {
  deps: UpgradeDeps;
  clock: Clock;
  args?: UpgradeArgs;
  /** Resume from this saved job data (what the runner persisted before a crash). */
  data?: JobData<UpgradeArgs>;
  /** Answers ctx.decide questions by id; undefined stops the run as parked. */
  decide?: (id: string, q: ApprovalRequest) => boolean | undefined;
  /** Simulates a SIGKILL at this step boundary: the run ends and returns the data saved so far. */
  crashAt?: (step: string, phase: Phase) => boolean;
  /** How long a failing predicate is re-checked before the run stops as blocked (clock ms). */
  predicateWait?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  outcome: 'completed' | 'stopped' | 'crashed' | 'parked';
  data: JobData<UpgradeArgs>;
  detail?: string;
  said: string[];
  blockedBy: string[];
  asked: string[];
  cleanup?: string[];
  summary?: string;
}

/** Thrown by a test's wrapped port to simulate a SIGKILL in the middle of a step (e.g. right after an AWS call). */
export class Crash extends Error {}
class Parked extends Error {}

/**
 * The runner's contract, in process, for job-level tests against the simulated estate: steps from data,
 * destructive steps gated by their predicates and recorded in flight, alreadyDone on resume, decisions
 * answered by the test. The end-to-end tests through BullMQ and a SIGKILLed worker use the real runner.
 */
export async function runUpgrade(o: RunOptions): Promise<RunResult> {
  const data: JobData<UpgradeArgs> = o.data
    ? structuredClone(o.data)
    : { kind: 'upgrade', cluster: 'prod', requester: 'U0ALICE', channel: 'C0OPS', args: o.args ?? {}, requestedAt: o.clock.now(), cursor: 0, state: {}, records: [], overrides: {} };
  const said: string[] = [];
  const blockedBy: string[] = [];
  const asked: string[] = [];
  let current = '';
  let duringFired = false;
  const ctx: StepContext<UpgradeArgs, UpgradeDeps> = {
    jobId: 'job-1',
    data,
    state: data.state,
    deps: o.deps,
    clock: o.clock,
    signal: o.signal ?? new AbortController().signal,
    setState: async (p) => void Object.assign(data.state, p),
    progress: async (t) => {
      said.push(t);
      if (!duringFired) {
        duringFired = true;
        if (o.crashAt?.(current, 'during')) throw new Crash();
      }
    },
    say: async (t) => void said.push(t),
    log: async () => undefined,
    decide: async (id, q): Promise<Decision> => {
      asked.push(`${id}: ${q.action}`);
      const approved = o.decide?.(id, q);
      if (approved === undefined) throw new Parked(id);
      return { approved, by: 'U0BOB', at: o.clock.now() };
    },
  };
  const snapshot = () => structuredClone(data);
  const stop = async (detail: string): Promise<RunResult> => {
    const cleanup = await upgradeDefinition.cleanup!({ ...ctx, signal: new AbortController().signal }, 'failed');
    return { outcome: 'stopped', data: snapshot(), detail, said, blockedBy, asked, cleanup };
  };
  try {
    for (;;) {
      const steps = upgradeDefinition.steps(data);
      if (data.cursor >= steps.length) {
        const summary = upgradeDefinition.summary!(ctx).text;
        return { outcome: 'completed', data: snapshot(), said, blockedBy, asked, summary };
      }
      const step = steps[data.cursor];
      current = step.name;
      duringFired = false;
      if (o.crashAt?.(step.name, 'before')) return { outcome: 'crashed', data: snapshot(), said, blockedBy, asked };
      const startedAt = o.clock.now();
      let skipped = false;
      if (step.destructive) {
        // As the runner does: an in-flight step first asks whether its effect already happened.
        if (data.inFlight === step.name) {
          if (!step.alreadyDone) throw new Error(`${step.name} cannot tell whether it happened`);
          skipped = await step.alreadyDone(ctx);
        }
        if (!skipped) {
          if (step.approval) said.push(`approval: ${(await step.approval(ctx)).action}`);
          const deadline = o.clock.now() + (o.predicateWait ?? 60_000);
          for (;;) {
            const failing = [];
            for (const p of step.predicates ?? []) {
              const r = await p.check(ctx);
              if (!r.ok) failing.push(`${p.name}: ${r.reason}`);
            }
            if (!failing.length) break;
            blockedBy.push(...failing.map((f) => `${step.name} ${f}`));
            if (o.clock.now() >= deadline) return await stop(`${step.name} blocked by ${failing[0]}`);
            await o.clock.sleep(1000);
          }
          data.inFlight = step.name;
        }
      }
      const outcome = skipped ? { done: 'already done' } : await step.run(ctx);
      if ('stop' in outcome) return await stop(outcome.stop);
      data.records.push({ step: step.name, label: step.label, startedAt, finishedAt: o.clock.now(), summary: outcome.done, ...(skipped ? { skipped } : {}) });
      data.cursor += 1;
      data.inFlight = undefined;
      if (o.crashAt?.(step.name, 'after')) return { outcome: 'crashed', data: snapshot(), said, blockedBy, asked };
    }
  } catch (err) {
    if (err instanceof Crash) return { outcome: 'crashed', data: snapshot(), said, blockedBy, asked };
    if (err instanceof Parked) return { outcome: 'parked', data: snapshot(), detail: err.message, said, blockedBy, asked };
    return await stop((err as Error).message);
  }
}
