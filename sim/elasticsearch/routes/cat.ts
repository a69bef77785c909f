import type { estypes } from '@elastic/elasticsearch';
import { resolveIndices } from '../index-expr';
import { isActive, primaryOf } from '../index-model';
import { route, type EsRequest, type Route } from '../router';
import { majorOf } from '../versions';
import { catBytes, renderCat, type CatColumn, type CatRow } from './cat-table';

const ROLE_LETTERS: Record<string, string> = { data: 'd', data_cold: 'c', data_frozen: 'f', data_hot: 'h', ingest: 'i', master: 'm', data_warm: 'w' };

const indicesColumns = (v: string): CatColumn[] => [
  { name: 'health', aliases: ['h'], dflt: true },
  { name: 'status', aliases: ['s'], dflt: true },
  { name: 'index', aliases: ['i', 'idx'], dflt: true },
  { name: 'uuid', aliases: ['id'], dflt: true },
  { name: 'pri', aliases: ['p', 'shards.primary', 'shardsPrimary'], dflt: true, numeric: true },
  { name: 'rep', aliases: ['r', 'shards.replica', 'shardsReplica'], dflt: true, numeric: true },
  { name: 'docs.count', aliases: ['dc', 'docsCount'], dflt: true, numeric: true },
  { name: 'docs.deleted', aliases: ['dd', 'docsDeleted'], dflt: true, numeric: true },
  { name: 'creation.date', aliases: ['cd'], numeric: true },
  { name: 'creation.date.string', aliases: ['cds'] },
  { name: 'store.size', aliases: ['ss', 'storeSize'], dflt: true, numeric: true },
  { name: 'pri.store.size', dflt: true, numeric: true },
  ...(majorOf(v) >= 8 ? [{ name: 'dataset.size', dflt: true, numeric: true }] : []),
];

function catIndices(req: EsRequest) {
  const c = req.cluster;
  const indices = resolveIndices(c, req.params.index, { expandWildcards: req.query.get('expand_wildcards') ?? 'all' });
  const only = req.query.get('health');
  const rows: CatRow[] = [];
  for (const idx of indices.sort((a, b) => a.name.localeCompare(b.name))) {
    const h = c.indexHealth(idx);
    if (only && h.status !== only) continue;
    let priDocs = 0;
    let priBytes = 0;
    let allBytes = 0;
    let anyPrimary = false;
    for (const g of idx.groups) {
      const visible = g.store.view().size;
      if (isActive(primaryOf(g))) {
        anyPrimary = true;
        priDocs += visible;
        priBytes += g.store.live.size * idx.bytesPerDoc;
      }
      allBytes += g.copies.filter(isActive).length * g.store.live.size * idx.bytesPerDoc;
    }
    rows.push({
      health: h.status,
      status: 'open',
      index: idx.name,
      uuid: idx.uuid,
      pri: String(idx.groups.length),
      rep: idx.settings['index.number_of_replicas'],
      'docs.count': anyPrimary ? String(priDocs) : null,
      'docs.deleted': anyPrimary ? '0' : null,
      'creation.date': String(idx.createdAt),
      'creation.date.string': new Date(idx.createdAt).toISOString(),
      'store.size': anyPrimary ? catBytes(req, allBytes) : null,
      'pri.store.size': anyPrimary ? catBytes(req, priBytes) : null,
      'dataset.size': anyPrimary ? catBytes(req, priBytes) : null,
    } satisfies { [K in keyof estypes.CatIndicesIndicesRecord]?: string | null });
  }
  return renderCat(req, indicesColumns(req.node.spec.version), rows);
}

const shardColumns = (v: string): CatColumn[] => [
  { name: 'index', aliases: ['i', 'idx'], dflt: true },
  { name: 'shard', aliases: ['s', 'sh'], dflt: true, numeric: true },
  { name: 'prirep', aliases: ['p', 'pr', 'primaryOrReplica'], dflt: true },
  { name: 'state', aliases: ['st'], dflt: true },
  { name: 'docs', aliases: ['d', 'dc'], dflt: true, numeric: true },
  { name: 'store', aliases: ['sto'], dflt: true, numeric: true },
  ...(majorOf(v) >= 8 ? [{ name: 'dataset', dflt: true, numeric: true }] : []),
  { name: 'ip', dflt: true },
  { name: 'id' },
  { name: 'node', aliases: ['n'], dflt: true },
  { name: 'unassigned.reason', aliases: ['ur'] },
  { name: 'unassigned.at', aliases: ['ua'] },
  { name: 'unassigned.details', aliases: ['ud'] },
];

function catShards(req: EsRequest) {
  const c = req.cluster;
  const indices = resolveIndices(c, req.params.index, { expandWildcards: req.query.get('expand_wildcards') ?? 'all' });
  const rows: CatRow[] = [];
  for (const idx of indices.sort((a, b) => a.name.localeCompare(b.name))) {
    for (const g of idx.groups) {
      for (const copy of [...g.copies].sort((a, b) => Number(b.primary) - Number(a.primary))) {
        const node = copy.node ? c.nodeByName(copy.node) : undefined;
        const target = copy.relocatingTo ? c.nodeByName(copy.relocatingTo) : undefined;
        const assigned = copy.state !== 'UNASSIGNED';
        const bytes = g.store.live.size * idx.bytesPerDoc;
        rows.push({
          index: idx.name,
          shard: String(g.num),
          prirep: copy.primary ? 'p' : 'r',
          state: copy.state,
          docs: isActive(copy) ? String(g.store.view().size) : null,
          store: assigned ? catBytes(req, isActive(copy) ? bytes : Math.min(bytes, copy.recovered)) : null,
          dataset: assigned ? catBytes(req, isActive(copy) ? bytes : Math.min(bytes, copy.recovered)) : null,
          ip: node?.spec.ip ?? null,
          id: node?.id ?? null,
          node: node ? (target ? `${node.spec.name} -> ${target.spec.ip} ${target.id} ${target.spec.name}` : node.spec.name) : null,
          'unassigned.reason': copy.unassigned && !assigned ? copy.unassigned.reason : null,
          'unassigned.at': copy.unassigned && !assigned ? new Date(copy.unassigned.at).toISOString() : null,
          'unassigned.details': copy.unassigned?.details && !assigned ? copy.unassigned.details : null,
        } satisfies { [K in keyof estypes.CatShardsShardsRecord]?: string | null });
      }
    }
  }
  return renderCat(req, shardColumns(req.node.spec.version), rows);
}

const NODE_COLUMNS: CatColumn[] = [
  { name: 'id', aliases: ['nodeId'] },
  { name: 'ip', aliases: ['i'], dflt: true },
  { name: 'port', aliases: ['po'] },
  { name: 'http_address', aliases: ['http'] },
  { name: 'version', aliases: ['v'] },
  { name: 'heap.percent', aliases: ['hp', 'heapPercent'], dflt: true, numeric: true },
  { name: 'ram.percent', aliases: ['rp', 'ramPercent'], dflt: true, numeric: true },
  { name: 'cpu', dflt: true, numeric: true },
  { name: 'load_1m', aliases: ['l'], dflt: true, numeric: true },
  { name: 'load_5m', dflt: true, numeric: true },
  { name: 'load_15m', dflt: true, numeric: true },
  { name: 'uptime', aliases: ['u'] },
  { name: 'node.role', aliases: ['r', 'role', 'nodeRole'], dflt: true },
  { name: 'node.roles', aliases: ['rs', 'all roles'] },
  { name: 'master', aliases: ['m'], dflt: true },
  { name: 'name', aliases: ['n'], dflt: true },
];

async function catNodes(req: EsRequest) {
  const c = req.cluster;
  const master = await c.requireMaster();
  const fullId = req.query.get('full_id') === 'true';
  const rows: CatRow[] = c.joinedNodes().map((n) => ({
    id: fullId ? n.id : n.id.slice(0, 4),
    ip: n.spec.ip,
    port: '9300',
    http_address: `${n.spec.ip}:9200`,
    version: n.spec.version,
    'heap.percent': '42',
    'ram.percent': '71',
    cpu: '7',
    load_1m: '0.31',
    load_5m: '0.27',
    load_15m: '0.25',
    uptime: `${Math.floor((c.clock.now() - n.startedAt) / 60_000)}m`,
    'node.role': n.spec.roles.map((r) => ROLE_LETTERS[r] ?? '').sort().join('') || '-',
    'node.roles': [...n.spec.roles].sort().join(','),
    master: n === master ? '*' : '-',
    name: n.spec.name,
  }));
  return renderCat(req, NODE_COLUMNS, rows.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')));
}

async function catHealth(req: EsRequest) {
  const c = req.cluster;
  await c.requireMaster();
  const v = req.node.spec.version;
  const h = c.health(undefined, v);
  const now = c.clock.now();
  const ts = req.query.get('ts') !== 'false';
  const cols: CatColumn[] = [
    ...(ts ? [{ name: 'epoch', aliases: ['t', 'time'], dflt: true, numeric: true }, { name: 'timestamp', aliases: ['ts', 'hms', 'hhmmss'], dflt: true }] : []),
    { name: 'cluster', aliases: ['cl'], dflt: true },
    { name: 'status', aliases: ['st'], dflt: true },
    { name: 'node.total', aliases: ['nt', 'nodeTotal'], dflt: true, numeric: true },
    { name: 'node.data', aliases: ['nd', 'nodeData'], dflt: true, numeric: true },
    { name: 'shards', aliases: ['t', 'sh', 'shards.total'], dflt: true, numeric: true },
    { name: 'pri', aliases: ['p', 'shards.primary'], dflt: true, numeric: true },
    { name: 'relo', aliases: ['r', 'shards.relocating'], dflt: true, numeric: true },
    { name: 'init', aliases: ['i', 'shards.initializing'], dflt: true, numeric: true },
    ...(majorOf(v) >= 8 ? [{ name: 'unassign.pri', aliases: ['up', 'shards.unassigned.primary'], dflt: true, numeric: true }] : []),
    { name: 'unassign', aliases: ['u', 'shards.unassigned'], dflt: true, numeric: true },
    { name: 'pending_tasks', aliases: ['pt', 'pendingTasks'], dflt: true, numeric: true },
    { name: 'max_task_wait_time', aliases: ['mtwt'], dflt: true, numeric: true },
    { name: 'active_shards_percent', aliases: ['asp'], dflt: true, numeric: true },
  ];
  const d = new Date(now);
  const row: CatRow = {
    epoch: String(Math.floor(now / 1000)),
    timestamp: `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`,
    cluster: h.cluster_name,
    status: h.status,
    'node.total': String(h.number_of_nodes),
    'node.data': String(h.number_of_data_nodes),
    shards: String(h.active_shards),
    pri: String(h.active_primary_shards),
    relo: String(h.relocating_shards),
    init: String(h.initializing_shards),
    'unassign.pri': String(h.unassigned_primary_shards ?? 0),
    unassign: String(h.unassigned_shards),
    pending_tasks: String(h.number_of_pending_tasks),
    max_task_wait_time: '-',
    active_shards_percent: `${h.active_shards_percent_as_number.toFixed(1)}%`,
  };
  return renderCat(req, cols, [row]);
}

export const catRoutes: Route[] = [
  route('GET', '/_cat/indices', async (req) => (await req.cluster.requireMaster(), catIndices(req))),
  route('GET', '/_cat/indices/{index}', async (req) => (await req.cluster.requireMaster(), catIndices(req))),
  route('GET', '/_cat/shards', async (req) => (await req.cluster.requireMaster(), catShards(req))),
  route('GET', '/_cat/shards/{index}', async (req) => (await req.cluster.requireMaster(), catShards(req))),
  route('GET', '/_cat/nodes', catNodes),
  route('GET', '/_cat/health', catHealth),
];
