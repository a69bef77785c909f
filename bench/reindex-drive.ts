import type { Clock } from '../src/clock';
import type { ApprovalRequest, JobData, StopReason } from '../src/runner/types';
import { reindexJob } from '../jobs/reindex';
import type { ReindexArgs, ReindexDeps } from '../jobs/reindex/types';
import { driveSteps } from './drive-steps';

/**
 * The reindex job's real steps through the runner's contract in process (see drive-steps), with its approvals
 * kept across restarts as the runner's approval store keeps them.
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

export async function drive(o: DriveOptions): Promise<DriveResult> {
  const approvals = o.approvals ?? new Map<string, boolean>();
  const asked: string[] = [];
  const r = await driveSteps(reindexJob.definition, {
    data: o.data ?? {
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
    },
    deps: o.deps,
    clock: o.clock,
    jobId: o.jobId ?? 'reindex-test-1',
    predicateWait: 120_000,
    hooks: {
      async approve(step, ctx) {
        if (!approvals.has(step.name)) {
          const request = await step.approval!(ctx);
          asked.push(request.action);
          approvals.set(step.name, o.decide?.(step.name, request) ?? true);
        }
        return approvals.get(step.name)!;
      },
      decide: () => ({ approved: true, by: 'UBOB', at: o.clock.now() }),
      crashAt: (step, phase) => o.crashAt === `${step}:${phase}`,
      cancelBefore: (step) => step === o.cancelBefore,
      onStep: o.onStep,
    },
  });
  // Never 'parked': `decide` above always answers.
  return { outcome: r.outcome as DriveResult['outcome'], data: r.data, approvals, asked, said: r.said, stopText: r.detail, cleanup: r.cleanup };
}
