import type { JobKind } from '../runner/types';

/** One queue per job kind, so each kind gets its own workers and concurrency. */
export function queueName(kind: JobKind): string {
  return `elk-${kind}`;
}

/** Deterministic: a second `/elk upgrade prod` finds the first job instead of starting another. */
export function jobIdFor(kind: JobKind, cluster: string): string {
  return `${kind}-${cluster}`;
}

export function kindOfJobId(jobId: string): JobKind | undefined {
  const kind = (['reindex', 'upgrade', 'alert-test', 'demo'] as const).find((k) => jobId.startsWith(`${k}-`));
  return kind;
}
