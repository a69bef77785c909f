import type { Clock } from '../src/clock';
import type { ApprovalRequest, JobData } from '../src/runner/types';
import type { UpgradeArgs } from '../jobs/upgrade/args';
import { upgradeDefinition } from '../jobs/upgrade/definition';
import type { UpgradeDeps } from '../jobs/upgrade/ports';
import { driveSteps, type Phase } from './drive-steps';

export { Crash, type Phase } from './drive-steps';

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

/**
 * The upgrade job's real steps through the runner's contract in process (see drive-steps), against the
 * simulated estate, with ctx.decide questions answered by the test.
 */
export async function runUpgrade(o: RunOptions): Promise<RunResult> {
  const asked: string[] = [];
  const { outcome, ...r } = await driveSteps(upgradeDefinition, {
    // A copy: a test resumes from one saved data more than once.
    data: o.data
      ? structuredClone(o.data)
      : { kind: 'upgrade', cluster: 'prod', requester: 'U0ALICE', channel: 'C0OPS', args: o.args ?? {}, requestedAt: o.clock.now(), cursor: 0, state: {}, records: [], overrides: {} },
    deps: o.deps,
    clock: o.clock,
    jobId: 'job-1',
    signal: o.signal,
    predicateWait: o.predicateWait ?? 60_000,
    hooks: {
      // Granted: the tests are about the steps, so the request is only shown.
      async approve(step, ctx) {
        await ctx.say(`approval: ${(await step.approval!(ctx)).action}`);
        return true;
      },
      decide(id, q) {
        asked.push(`${id}: ${q.action}`);
        const approved = o.decide?.(id, q);
        return approved === undefined ? 'park' : { approved, by: 'U0BOB', at: o.clock.now() };
      },
      crashAt: (step, phase) => o.crashAt?.(step, phase) ?? false,
    },
  });
  return { ...r, outcome: outcome === 'completed' || outcome === 'crashed' || outcome === 'parked' ? outcome : 'stopped', asked };
}
