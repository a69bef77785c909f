import type { estypes } from '@elastic/elasticsearch';
import { explain } from '../allocation';
import { EsError, illegalArgument, indexNotFound, masterNotDiscovered } from '../errors';
import { resolveIndices } from '../index-expr';
import { route, flag, type EsRequest, type EsResponse, type Route } from '../router';
import { formatBytes } from '../byte-units';
import { nest, type FlatSettings } from '../settings';
import { parseDuration } from '../time-units';
import { explainNote, noUnassignedShardsReason, majorOf } from '../versions';

const STATUS_RANK = { green: 0, yellow: 1, red: 2 } as const;

function nodesCondition(spec: string, n: number): boolean {
  const m = /^(>=|<=|>|<|ge\(|le\(|gt\(|lt\()?\s*(\d+)\)?$/.exec(spec.trim());
  if (!m) throw illegalArgument(`cannot parse wait_for_nodes [${spec}]`);
  const want = Number(m[2]);
  switch (m[1]) {
    case '>=': case 'ge(': return n >= want;
    case '<=': case 'le(': return n <= want;
    case '>': case 'gt(': return n > want;
    case '<': case 'lt(': return n < want;
    default: return n === want;
  }
}

/** `_cluster/health` with its long-poll parameters, waiting on the clock and waking on every state change. */
async function clusterHealth(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  const q = req.query;
  const version = req.node.spec.version;
  const timeout = parseDuration(q.get('timeout') ?? '30s');
  const only = req.params.index
    ? resolveIndices(c, req.params.index, { ignoreUnavailable: true, expandWildcards: q.get('expand_wildcards') ?? 'all' })
    : undefined;
  const missing = !!req.params.index && !req.params.index.includes('*') && !only?.length;
  const body = (): estypes.ClusterHealthResponse => {
    const h = c.health(only, version);
    if (missing) h.status = 'red';
    if (q.get('level') === 'indices' || q.get('level') === 'shards')
      h.indices = Object.fromEntries((only ?? [...c.indices.values()]).map((i) => [i.name, c.indexHealth(i)]));
    return h;
  };
  const waits = ['wait_for_status', 'wait_for_nodes', 'wait_for_no_relocating_shards', 'wait_for_no_initializing_shards', 'wait_for_active_shards'].filter((k) =>
    q.has(k),
  );
  const satisfied = (): boolean => {
    if (!c.masterNode()) return false;
    const h = body();
    const ws = q.get('wait_for_status') as keyof typeof STATUS_RANK | null;
    if (ws && STATUS_RANK[h.status as keyof typeof STATUS_RANK] > STATUS_RANK[ws]) return false;
    if (q.has('wait_for_nodes') && !nodesCondition(q.get('wait_for_nodes')!, h.number_of_nodes)) return false;
    if (flag(q, 'wait_for_no_relocating_shards') && h.relocating_shards > 0) return false;
    if (flag(q, 'wait_for_no_initializing_shards') && h.initializing_shards > 0) return false;
    const was = q.get('wait_for_active_shards');
    if (was && was !== '0') {
      const total = h.active_shards + h.initializing_shards + h.unassigned_shards;
      if (was === 'all' ? h.active_shards < total : h.active_shards < Number(was)) return false;
    }
    return true;
  };
  if (!waits.length) {
    await c.requireMaster(parseDuration(q.get('master_timeout') ?? q.get('timeout') ?? '30s'));
    return { body: body() };
  }
  const ok = await c.notifier.waitUntil(satisfied, timeout);
  if (!c.masterNode()) throw masterNotDiscovered();
  if (ok) return { body: body() };
  return { status: 408, body: { ...body(), timed_out: true } };
}

const KNOWN_SETTING_PREFIXES = ['cluster.', 'indices.', 'action.', 'logger.', 'search.', 'xpack.', 'ingest.', 'transport.', 'http.', 'script.', 'snapshot.'];
const ENABLE_VALUES = ['all', 'primaries', 'new_primaries', 'none'];

function validateClusterSettings(kind: string, input: unknown): void {
  const entries = Object.entries(flattenForValidation(input));
  for (const [k, v] of entries) {
    if (!KNOWN_SETTING_PREFIXES.some((p) => k.startsWith(p))) throw illegalArgument(`${kind} setting [${k}], not recognized`);
    if (v !== null && k === 'cluster.routing.allocation.enable' && !ENABLE_VALUES.includes(String(v).toLowerCase()))
      throw illegalArgument(`Illegal allocation.enable value [${String(v).toUpperCase()}]`);
    if (v !== null && k === 'cluster.routing.rebalance.enable' && !ENABLE_VALUES.concat('replicas').includes(String(v).toLowerCase()))
      throw illegalArgument(`Illegal rebalance.enable value [${String(v).toUpperCase()}]`);
  }
}

function flattenForValidation(input: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((input ?? {}) as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenForValidation(v, key));
    else out[key] = v;
  }
  return out;
}

const CLUSTER_DEFAULTS: FlatSettings = {
  'cluster.routing.allocation.enable': 'all',
  'cluster.routing.rebalance.enable': 'all',
  'cluster.routing.allocation.node_concurrent_recoveries': '2',
  'cluster.routing.allocation.cluster_concurrent_rebalance': '2',
  'cluster.routing.allocation.exclude._name': '',
  'cluster.routing.allocation.exclude._ip': '',
  'action.destructive_requires_name': 'true',
  'indices.recovery.max_bytes_per_sec': '40mb',
};

async function getClusterSettings(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const flat = flag(req.query, 'flat_settings');
  const shape = (s: FlatSettings) => (flat ? { ...s } : nest(s));
  const defaults: FlatSettings = { ...CLUSTER_DEFAULTS, 'indices.recovery.max_bytes_per_sec': formatBytes(c.knobs.recoveryBytesPerSec) };
  if (majorOf(req.node.spec.version) < 8) defaults['action.destructive_requires_name'] = 'false';
  const body: estypes.ClusterGetSettingsResponse = {
    persistent: shape(c.persistentSettings),
    transient: shape(c.transientSettings),
    ...(flag(req.query, 'include_defaults') ? { defaults: shape(defaults) } : {}),
  };
  return { body };
}

async function putClusterSettings(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const b = (req.body ?? {}) as { persistent?: unknown; transient?: unknown };
  if (!b.persistent && !b.transient) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: no settings to update;');
  validateClusterSettings('persistent', b.persistent);
  validateClusterSettings('transient', b.transient);
  const applied = c.updateClusterSettings(b.persistent, b.transient);
  const flat = flag(req.query, 'flat_settings');
  const body: estypes.ClusterPutSettingsResponse = {
    acknowledged: true,
    persistent: flat ? applied.persistent : nest(applied.persistent),
    transient: flat ? applied.transient : nest(applied.transient),
  };
  return { body };
}

async function allocationExplain(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const version = req.node.spec.version;
  const b = req.body as { index?: string; shard?: number; primary?: boolean } | undefined;
  const includeYes = flag(req.query, 'include_yes_decisions');
  if (b && (b.index !== undefined || b.shard !== undefined || b.primary !== undefined)) {
    if (b.index === undefined || b.shard === undefined || b.primary === undefined)
      throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: index must be specified;2: shard must be specified;3: primary must be specified;');
    const idx = c.indices.get(b.index);
    if (!idx) throw indexNotFound(b.index);
    const g = idx.groups[b.shard];
    if (!g) throw illegalArgument(`shardId [${b.shard}] does not exist for index [${b.index}]`);
    const candidates = g.copies.filter((x) => x.primary === b.primary);
    const copy = candidates.find((x) => x.state === 'UNASSIGNED') ?? candidates[0];
    if (!copy) throw illegalArgument(`unable to find any replica shards for [${b.index}][${b.shard}]`);
    return { body: explain(c, idx, g, copy, version, includeYes) };
  }
  for (const idx of c.indices.values())
    for (const g of idx.groups)
      for (const copy of g.copies)
        if (copy.state === 'UNASSIGNED') {
          const body = explain(c, idx, g, copy, version, includeYes);
          return { body: majorOf(version) >= 8 ? { note: explainNote, ...body } : body };
        }
  throw illegalArgument(noUnassignedShardsReason(version));
}

async function postVotingExclusions(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const names = req.query.get('node_names');
  const ids = req.query.get('node_ids');
  if ((names === null) === (ids === null))
    throw illegalArgument('Please set node identifiers correctly. One and only one of [node_name], [node_names] and [node_ids] has to be set');
  const list = (names ?? ids)!.split(',').filter(Boolean);
  const resolved = names ? list : list.map((id) => c.nodeById(id)?.spec.name ?? id);
  if (c.exclusions.length + resolved.length > 10)
    throw illegalArgument(`add voting config exclusions request for nodes ${JSON.stringify(resolved)} would add [${resolved.length}] exclusions to the existing [${c.exclusions.length}] which would exceed the maximum of [10] set by [cluster.max_voting_config_exclusions]`);
  c.addVotingExclusions(resolved);
  const timeout = parseDuration(req.query.get('timeout') ?? '30s');
  if (!(await c.notifier.waitUntil(() => c.exclusionsApplied(), timeout)))
    throw new EsError(500, 'timeout_exception', `timed out waiting for voting config exclusions [${resolved.join(', ')}] to take effect`);
  return {};
}

async function deleteVotingExclusions(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  if (flag(req.query, 'wait_for_removal', true)) {
    const gone = () => c.exclusions.every((e) => c.nodeByName(e.node_name)?.state !== 'joined');
    const timeout = parseDuration(req.query.get('timeout') ?? '30s');
    if (!(await c.notifier.waitUntil(gone, timeout)))
      throw new EsError(
        500,
        'timeout_exception',
        `timed out waiting for removal of nodes; if nodes should not be removed, set wait_for_removal to false. [${c.exclusions.map((e) => `{${e.node_name}}{${e.node_id}}`).join(', ')}]`,
      );
  }
  c.clearVotingExclusions();
  return {};
}

/**
 * The subset of `GET _cluster/state[/{metrics}]` the bot reads: master_node, nodes, and metadata's
 * cluster_coordination (voting configuration and its exclusions). Other metadata is left out.
 */
async function clusterState(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const metrics = (req.params.metrics ?? '_all').split(',');
  const want = (m: string) => metrics.includes('_all') || metrics.includes(m);
  const master = c.masterNode();
  const nodeId = (name: string) => c.nodeByName(name)?.id ?? name;
  const body: Record<string, unknown> = { cluster_name: c.clusterName, cluster_uuid: c.uuid };
  if (want('master_node')) body.master_node = master?.id;
  if (want('nodes'))
    body.nodes = Object.fromEntries(
      c.nodes().filter((n) => n.joined).map((n) => [nodeId(n.name), { name: n.name, transport_address: `${n.ip}:9300`, attributes: {}, roles: n.roles }]),
    );
  if (want('metadata')) {
    const config = [...c.votingConfig].map(nodeId).sort();
    body.metadata = {
      cluster_uuid: c.uuid,
      cluster_uuid_committed: true,
      cluster_coordination: { term: 1, last_committed_config: config, last_accepted_config: config, voting_config_exclusions: c.exclusions.map((e) => ({ ...e })) },
    };
  }
  return { body };
}

export const clusterRoutes: Route[] = [
  route('GET', '/_cluster/state', clusterState),
  route('GET', '/_cluster/state/{metrics}', clusterState),
  route('GET', '/_cluster/health', clusterHealth),
  route('GET', '/_cluster/health/{index}', clusterHealth),
  route('GET', '/_cluster/settings', getClusterSettings),
  route('PUT', '/_cluster/settings', putClusterSettings),
  route(['GET', 'POST'], '/_cluster/allocation/explain', allocationExplain),
  route('POST', '/_cluster/voting_config_exclusions', postVotingExclusions),
  route('DELETE', '/_cluster/voting_config_exclusions', deleteVotingExclusions),
];
