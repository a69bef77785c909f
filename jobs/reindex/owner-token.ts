import type { ReindexCtx } from './types';

/**
 * Marks indices made by one run of a job. Job ids are deterministic (`reindex-prod` again next week), so the
 * request time makes a run's mark its own; lower-cased and stripped to what Elasticsearch accepts in a name.
 */
export function ownerToken(ctx: Pick<ReindexCtx, 'jobId' | 'data'>): string {
  return `${ctx.jobId}-${ctx.data.requestedAt.toString(36)}`.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}
