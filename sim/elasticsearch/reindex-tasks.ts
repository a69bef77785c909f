import type { estypes } from '@elastic/elasticsearch';
import type { SimCluster } from './cluster';
import { EsError } from './errors';
import type { SimNode } from './types';

const ACTION = 'indices:data/write/reindex';
const BATCH_SIZE = 1000;

export interface ReindexPlan {
  sources: string[];
  /** The scroll snapshot: only what was searchable when the task started. */
  docs: Array<{ index: string; id: string; source: Record<string, unknown>; version: number }>;
  dest: { index: string; versionType?: 'internal' | 'external'; opType?: 'index' | 'create' };
  conflicts: 'abort' | 'proceed';
  slices: number;
  requestsPerSecond: number;
  storeResult: boolean;
}

type Status = {
  total: number;
  updated: number;
  created: number;
  deleted: number;
  batches: number;
  version_conflicts: number;
  noops: number;
  retries: { bulk: number; search: number };
  throttled_millis: number;
  requests_per_second: number;
  throttled_until_millis: number;
  canceled?: string;
};

export interface ReindexTask {
  taskId: string;
  id: number;
  node: SimNode;
  plan: ReindexPlan;
  startedAt: number;
  pos: number;
  carry: number;
  status: Status;
  failures: estypes.BulkIndexByScrollFailure[];
  state: 'running' | 'done' | 'killed';
  /** Set when done: what GET _tasks/<id> answers from then on. */
  result?: estypes.TasksGetResponse;
}

/**
 * Reindex tasks: each runs on the node that coordinated it, copying the scroll snapshot at
 * reindexDocsPerSec (per slice) of clock time. The node dying kills the task; what it already wrote stays.
 */
export class ReindexTasks {
  private seq = 1000;
  readonly running = new Map<string, ReindexTask>();
  /** Results persisted to the `.tasks` index (wait_for_completion=false only), keyed by task id. */
  readonly stored = new Map<string, estypes.TasksGetResponse>();
  private readonly finished = new Map<string, ReindexTask>();

  constructor(private readonly cluster: SimCluster) {}

  start(node: SimNode, plan: ReindexPlan): ReindexTask {
    const id = ++this.seq;
    const now = this.cluster.clock.now();
    const task: ReindexTask = {
      taskId: `${node.id}:${id}`,
      id,
      node,
      plan,
      startedAt: now,
      pos: 0,
      carry: 0,
      status: {
        total: plan.docs.length,
        updated: 0,
        created: 0,
        deleted: 0,
        batches: 0,
        version_conflicts: 0,
        noops: 0,
        retries: { bulk: 0, search: 0 },
        throttled_millis: 0,
        requests_per_second: plan.requestsPerSecond > 0 ? plan.requestsPerSecond : -1,
        throttled_until_millis: 0,
      },
      failures: [],
      state: 'running',
    };
    this.running.set(task.taskId, task);
    if (!plan.docs.length) this.finish(task, now);
    return task;
  }

  find(taskId: string): ReindexTask | undefined {
    return this.running.get(taskId) ?? this.finished.get(taskId);
  }

  info(task: ReindexTask, now = this.cluster.clock.now()): estypes.TasksTaskInfo {
    return {
      node: task.node.id,
      id: task.id,
      type: 'transport',
      action: ACTION,
      status: { ...task.status, retries: { ...task.status.retries } },
      description: `reindex from [${task.plan.sources.join(', ')}] to [${task.plan.dest.index}]`,
      start_time_in_millis: task.startedAt,
      running_time_in_nanos: Math.max(0, now - task.startedAt) * 1_000_000,
      cancellable: true,
      cancelled: !!task.status.canceled,
      headers: {},
    };
  }

  /** The documented reindex response body. */
  response(task: ReindexTask, now = this.cluster.clock.now()): estypes.ReindexResponse {
    const s = task.status;
    return {
      took: Math.round(now - task.startedAt),
      timed_out: false,
      total: s.total,
      updated: s.updated,
      created: s.created,
      deleted: s.deleted,
      batches: s.batches,
      version_conflicts: s.version_conflicts,
      noops: s.noops,
      retries: { ...s.retries },
      throttled_millis: s.throttled_millis,
      requests_per_second: s.requests_per_second,
      throttled_until_millis: s.throttled_until_millis,
      ...(s.canceled ? { canceled: s.canceled } : {}),
      failures: task.failures,
    } as estypes.ReindexResponse;
  }

  /** HTTP status of a finished reindex: the worst failure's, as BulkByScrollResponse reports it. */
  httpStatus(task: ReindexTask): number {
    return task.failures.reduce((worst, f) => Math.max(worst, f.status), 200);
  }

  cancel(task: ReindexTask): void {
    if (task.state !== 'running') return;
    task.status.canceled = 'by user request';
    this.finish(task, this.cluster.clock.now());
  }

  nodeLeft(node: SimNode): void {
    for (const task of this.running.values()) {
      if (task.node !== node) continue;
      task.state = 'killed';
      this.running.delete(task.taskId);
      this.finished.set(task.taskId, task);
    }
  }

  stopAll(): void {
    for (const task of this.running.values()) task.state = 'killed';
    this.running.clear();
  }

  private finish(task: ReindexTask, now: number): void {
    task.state = 'done';
    this.running.delete(task.taskId);
    this.finished.set(task.taskId, task);
    task.result = { completed: true, task: this.info(task, now), response: this.response(task, now) };
    if (task.plan.storeResult) this.stored.set(task.taskId, task.result);
  }

  tick(now: number, dtMs: number): boolean {
    let changed = false;
    for (const task of [...this.running.values()]) {
      const perSec = Math.min(
        this.cluster.knobs.reindexDocsPerSec * task.plan.slices,
        task.plan.requestsPerSecond > 0 ? task.plan.requestsPerSecond : Infinity,
      );
      task.carry += (perSec * dtMs) / 1000;
      const n = Math.min(Math.floor(task.carry), task.plan.docs.length - task.pos);
      task.carry -= n;
      if (n <= 0 && task.pos < task.plan.docs.length) continue;
      changed = true;
      if (this.copy(task, n)) this.finish(task, now);
    }
    return changed;
  }

  private takeSourceDocSize(task: ReindexTask): void {
    const from = this.cluster.indices.get(task.plan.sources[0]);
    const to = this.cluster.indices.get(task.plan.dest.index);
    if (from && to) to.bytesPerDoc = from.bytesPerDoc;
  }

  /** Copies the next `n` documents; true when the task is over (all copied, or aborted by a failure). */
  private copy(task: ReindexTask, n: number): boolean {
    const { dest, conflicts } = task.plan;
    const docsIn = (name: string) => this.cluster.indices.get(name)?.groups.reduce((t, g) => t + g.store.live.size, 0) ?? 0;
    // Only the task's first batch can find its destination empty; later batches skip the count.
    const intoEmpty = task.pos === 0 && docsIn(dest.index) === 0;
    for (let i = 0; i < n; i++) {
      const doc = task.plan.docs[task.pos++];
      try {
        const r = this.cluster.write(dest.index, dest.opType ?? 'index', doc.id, doc.source, {
          version: dest.versionType === 'external' ? doc.version : undefined,
          versionType: dest.versionType,
        });
        if (r.result === 'created') task.status.created++;
        else task.status.updated++;
        // Documents keep their size when copied: an index filled only by this copy stores what the source does.
        if (intoEmpty && i === 0) this.takeSourceDocSize(task);
      } catch (e) {
        if (!(e instanceof EsError)) throw e;
        if (e.status === 409) task.status.version_conflicts++;
        if (e.status !== 409 || conflicts === 'abort') {
          task.failures.push({
            index: dest.index,
            id: doc.id,
            cause: { type: e.type, reason: e.reason, ...e.extra } as estypes.ErrorCause,
            status: e.status,
          } as estypes.BulkIndexByScrollFailure);
        }
      }
      if (task.pos % BATCH_SIZE === 0 || task.pos === task.plan.docs.length) {
        task.status.batches++;
        if (task.failures.length) return true;
      }
    }
    return task.pos >= task.plan.docs.length;
  }
}
