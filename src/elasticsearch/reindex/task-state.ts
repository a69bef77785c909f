import type { estypes } from '@elastic/elasticsearch';
import type { CopyStatus, TaskState } from '../../../jobs/reindex/port';

/** Maps a `_tasks/<id>` answer onto the job's view; a reindex status is summed over its slices by Elasticsearch. */
export function toTaskState(res: estypes.TasksGetResponse): TaskState {
  const status = toCopyStatus(res.completed && res.response ? res.response : res.task.status);
  if (!res.completed) {
    return { kind: 'running', status, runningMs: Number(res.task.running_time_in_nanos ?? 0) / 1e6 };
  }
  const failures = ((res.response?.failures ?? []) as unknown[]).map((f) => JSON.stringify(f).slice(0, 300));
  const error = res.error ? `${res.error.type}: ${res.error.reason ?? ''}` : undefined;
  return { kind: 'completed', status, failures, error };
}

function toCopyStatus(s: Record<string, unknown> | undefined): CopyStatus {
  const n = (k: string) => Number((s?.[k] as number | undefined) ?? 0);
  return { total: n('total'), created: n('created'), updated: n('updated'), versionConflicts: n('version_conflicts') };
}

/** The long poll ran out before the task finished; Elasticsearch answers that with a timeout error, not a body. */
export function isPollTimeout(e: unknown): boolean {
  const meta = (e as { meta?: { statusCode?: number; body?: { error?: { type?: string; caused_by?: { type?: string } } } } }).meta;
  const type = meta?.body?.error?.type;
  const cause = meta?.body?.error?.caused_by?.type;
  return meta?.statusCode === 408 || type === 'timeout_exception' || cause === 'timeout_exception' || type === 'receive_timeout_transport_exception';
}

export function isNotFound(e: unknown): boolean {
  return (e as { meta?: { statusCode?: number } }).meta?.statusCode === 404;
}
