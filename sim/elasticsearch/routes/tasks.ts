import type { estypes } from '@elastic/elasticsearch';
import { EsError, illegalArgument } from '../errors';
import { resolveIndices } from '../index-expr';
import { matches } from '../query';
import type { ReindexTask } from '../reindex-tasks';
import { route, flag, type EsRequest, type EsResponse, type Route } from '../router';
import { parseDuration } from '../time-units';
import { majorOf } from '../versions';

type ReindexBody = {
  source?: { index?: string | string[]; query?: Record<string, unknown> };
  dest?: { index?: string; version_type?: 'internal' | 'external'; op_type?: 'index' | 'create' };
  conflicts?: 'abort' | 'proceed';
  max_docs?: number;
};

/** `_reindex`: the scroll snapshot is taken now, from what is searchable now. */
async function reindex(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  const b = (req.body ?? {}) as ReindexBody;
  const src = Array.isArray(b.source?.index) ? b.source!.index.join(',') : b.source?.index;
  const dest = b.dest?.index;
  const problems = [!src && 'use _all if you really want to copy from all existing indexes', !dest && 'index must be specified'].filter(Boolean);
  if (problems.length) throw new EsError(400, 'action_request_validation_exception', `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join('')}`);
  const sources = resolveIndices(c, src, {});
  if (sources.some((s) => s.name === dest)) throw new EsError(400, 'action_request_validation_exception', `Validation Failed: 1: reindex cannot write into an index its reading from [${dest}];`);
  const now = c.clock.now();
  let docs = sources.flatMap((idx) =>
    idx.groups.flatMap((g) =>
      [...c.searchView(g, false).values()]
        .filter((d) => matches(b.source?.query, d.source, now))
        .map((d) => ({ index: idx.name, id: d.id, source: d.source, version: d.version })),
    ),
  );
  if (b.max_docs !== undefined) docs = docs.slice(0, b.max_docs);
  const slicesParam = req.query.get('slices') ?? '1';
  const slices = slicesParam === 'auto' ? Math.max(1, Math.min(...sources.map((s) => s.groups.length))) : Number(slicesParam);
  const wait = flag(req.query, 'wait_for_completion', true);
  const task = c.tasks.start(req.node, {
    sources: sources.map((s) => s.name),
    docs,
    dest: { index: dest!, versionType: b.dest?.version_type, opType: b.dest?.op_type },
    conflicts: b.conflicts ?? 'abort',
    slices,
    requestsPerSecond: Number(req.query.get('requests_per_second') ?? -1),
    storeResult: !wait,
  });
  c.changed();
  if (!wait) return { body: { task: task.taskId } };
  await c.notifier.waitUntil(() => task.state !== 'running', Infinity);
  if (flag(req.query, 'refresh')) {
    const handles = c.writeTargets(dest!).flatMap((idx) => c.refreshIndex(idx));
    await c.notifier.waitUntil(() => handles.every((h) => h.applied), Infinity);
  }
  return { status: c.tasks.httpStatus(task), body: c.tasks.response(task) };
}

const notFound = (reason: string) => new EsError(404, 'resource_not_found_exception', reason);

/** GET _tasks/<id>, including the wait_for_completion long poll. */
async function getTask(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  const taskId = req.params.taskId;
  const m = /^([^:]+):(\d+)$/.exec(taskId);
  if (!m) throw illegalArgument(`malformed task id ${taskId}`);
  const nodeId = m[1];
  let task: ReindexTask | undefined = c.tasks.find(taskId);
  if (task?.state === 'running' && flag(req.query, 'wait_for_completion')) {
    const timeout = parseDuration(req.query.get('timeout') ?? '30s');
    const running = task;
    const done = await c.notifier.waitUntil(() => running.state !== 'running', timeout);
    if (!done) {
      // ElasticsearchTimeoutException has no REST status of its own in 7.17/8.x, so it surfaces as a 500.
      const reason =
        majorOf(req.node.spec.version) >= 8
          ? `timed out after [${req.query.get('timeout') ?? '30s'}/${timeout}ms]`
          : `Timed out waiting for completion of [org.elasticsearch.index.reindex.BulkByScrollTask@${running.id.toString(16)}]`;
      throw new EsError(500, 'timeout_exception', reason);
    }
    task = c.tasks.find(taskId);
  }
  if (task?.state === 'running') {
    const body: estypes.TasksGetResponse = { completed: false, task: c.tasks.info(task) };
    return { body };
  }
  const stored = c.tasks.stored.get(taskId);
  if (stored) return { body: stored };
  if (!c.nodeById(nodeId))
    throw notFound(`task [${taskId}] belongs to the node [${nodeId}] which isn't part of the cluster and there is no record of the task`);
  throw notFound(`task [${taskId}] isn't running and hasn't stored its results`);
}

function taskNodes(req: EsRequest, tasks: ReindexTask[]): estypes.TasksTaskListResponseBase {
  const c = req.cluster;
  const nodes: Record<string, estypes.TasksNodeTasks> = {};
  for (const t of tasks) {
    const n = t.node;
    nodes[n.id] ??= { name: n.spec.name, transport_address: `${n.spec.ip}:9300`, host: n.spec.ip, ip: n.spec.ip, roles: [...n.spec.roles], attributes: { ...(n.spec.attributes ?? {}) }, tasks: {} };
    nodes[n.id].tasks[t.taskId] = c.tasks.info(t);
  }
  return { nodes };
}

function listTasks(req: EsRequest): EsResponse {
  const c = req.cluster;
  const actions = req.query.get('actions');
  const re = actions ? new RegExp(`^(${actions.split(',').map((a) => a.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')).join('|')})$`) : undefined;
  const tasks = [...c.tasks.running.values()].filter((t) => !re || re.test('indices:data/write/reindex'));
  const groupBy = req.query.get('group_by') ?? 'nodes';
  if (groupBy === 'none') return { body: { tasks: tasks.map((t) => c.tasks.info(t)) } };
  if (groupBy === 'parents') return { body: { tasks: Object.fromEntries(tasks.map((t) => [t.taskId, c.tasks.info(t)])) } };
  return { body: taskNodes(req, tasks) };
}

function cancelTask(req: EsRequest): EsResponse {
  const c = req.cluster;
  const task = c.tasks.find(req.params.taskId);
  if (!task || task.state !== 'running') throw notFound(`task [${req.params.taskId}] is not found`);
  const body = taskNodes(req, [task]);
  c.tasks.cancel(task);
  c.changed();
  return { body };
}

export const taskRoutes: Route[] = [
  route('POST', '/_reindex', reindex),
  route('GET', '/_tasks', listTasks),
  route('GET', '/_tasks/{taskId}', getTask),
  route('POST', '/_tasks/{taskId}/_cancel', cancelTask),
];
