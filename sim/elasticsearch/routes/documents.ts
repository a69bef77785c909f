import type { estypes } from '@elastic/elasticsearch';
import type { WriteResult } from '../cluster';
import { EsError, illegalArgument } from '../errors';
import { shardFor } from '../index-model';
import { route, type EsRequest, type EsResponse, type Route } from '../router';
import { applySourceFilter, sourceFilterOf } from '../source-filter';
import { majorOf } from '../versions';

type Op = 'index' | 'create' | 'delete' | 'update';

/** 7.x still names the single mapping type `_doc` in document responses; 8.x dropped `_type`. */
const typeField = (req: EsRequest) => (majorOf(req.node.spec.version) < 8 ? { _type: '_doc' } : {});

const writeBody = (r: WriteResult, req: EsRequest) => ({
  _index: r.index,
  ...typeField(req),
  _id: r.id,
  _version: r.version,
  result: r.result,
  _shards: r.shards,
  _seq_no: r.seqNo,
  _primary_term: 1,
});

/** `refresh=true` makes the write searchable before answering; `wait_for` is treated the same way. */
async function refreshAfter(req: EsRequest, indices: Set<string>): Promise<void> {
  const r = req.query.get('refresh');
  if (r === null || r === 'false') return;
  const c = req.cluster;
  const handles = [...indices].flatMap((name) => c.writeTargets(name).flatMap((idx) => c.refreshIndex(idx)));
  await c.notifier.waitUntil(() => handles.every((h) => h.applied), Infinity);
}

async function bulk(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  const started = c.clock.now();
  const lines = req.rawBody.split('\n').filter((l) => l.trim());
  if (!lines.length) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
  const items: Array<Partial<Record<Op, estypes.BulkResponseItem>>> = [];
  const touched = new Set<string>();
  let errors = false;
  for (let i = 0; i < lines.length; i++) {
    let action: Record<string, Record<string, unknown>>;
    try {
      action = JSON.parse(lines[i]);
    } catch {
      throw illegalArgument(`Malformed action/metadata line [${i + 1}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]`);
    }
    const [op, meta] = Object.entries(action)[0] as [Op, Record<string, unknown>];
    if (!['index', 'create', 'delete', 'update'].includes(op))
      throw illegalArgument(`Malformed action/metadata line [${i + 1}], expected field [create], [delete], [index] or [update] but found [${op}]`);
    const source = op === 'delete' ? undefined : (JSON.parse(lines[++i] ?? '{}') as Record<string, unknown>);
    const index = String(meta._index ?? req.params.index ?? '');
    if (!index) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
    const id = meta._id === undefined ? undefined : String(meta._id);
    try {
      let r: WriteResult;
      if (op === 'update') {
        const target = c.writeTargets(index)[0];
        const existing = target && id ? target.groups[shardFor(id, target.groups.length)].store.live.get(id) : undefined;
        const doc = (source?.doc ?? {}) as Record<string, unknown>;
        if (!existing && !source?.doc_as_upsert && !source?.upsert)
          throw new EsError(404, 'document_missing_exception', `[${id}]: document missing`, { index_uuid: target?.uuid ?? '_na_', shard: '0', index });
        r = c.write(index, 'index', id, existing ? { ...existing.source, ...doc } : ((source?.upsert as Record<string, unknown>) ?? doc));
      } else {
        r = c.write(index, op, id, source, { version: meta.version as number | undefined, versionType: meta.version_type as 'external' | undefined });
      }
      touched.add(index);
      items.push({ [op]: { ...writeBody(r, req), status: r.result === 'created' ? 201 : r.result === 'not_found' ? 404 : 200 } });
    } catch (e) {
      if (!(e instanceof EsError)) throw e;
      errors = true;
      items.push({ [op]: { _index: index, ...typeField(req), _id: id ?? null, status: e.status, error: { type: e.type, reason: e.reason, ...e.extra } as estypes.ErrorCause } });
    }
  }
  c.changed();
  await refreshAfter(req, touched);
  const body: estypes.BulkResponse = { errors, took: Math.max(1, Math.round(c.clock.now() - started)), items };
  return { body };
}

async function indexDoc(req: EsRequest, op: 'index' | 'create'): Promise<EsResponse> {
  const c = req.cluster;
  const q = req.query;
  const r = c.write(req.params.index, q.get('op_type') === 'create' ? 'create' : op, req.params.id, (req.body ?? {}) as Record<string, unknown>, {
    version: q.has('version') ? Number(q.get('version')) : undefined,
    versionType: (q.get('version_type') as 'external' | null) ?? undefined,
  });
  c.changed();
  await refreshAfter(req, new Set([req.params.index]));
  return { status: r.result === 'created' ? 201 : 200, body: writeBody(r, req) satisfies estypes.WriteResponseBase };
}

/** Realtime GET reads the latest write, refreshed or not, as Elasticsearch's GET does. */
function getDoc(req: EsRequest): EsResponse {
  const c = req.cluster;
  const idx = c.writeTargets(req.params.index)[0] ?? c.getIndex(req.params.index);
  const id = req.params.id;
  const g = idx.groups[shardFor(id, idx.groups.length)];
  const doc = g.store.live.get(id);
  if (!doc) return { status: 404, body: { _index: idx.name, ...typeField(req), _id: id, found: false } };
  const source = applySourceFilter(doc.source, sourceFilterOf(undefined, req.query));
  return {
    body: { _index: idx.name, ...typeField(req), _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1, found: true, ...(source ? { _source: source } : {}) },
  };
}

async function deleteDoc(req: EsRequest): Promise<EsResponse> {
  const r = req.cluster.write(req.params.index, 'delete', req.params.id, undefined);
  req.cluster.changed();
  await refreshAfter(req, new Set([req.params.index]));
  return { status: r.result === 'not_found' ? 404 : 200, body: writeBody(r, req) };
}

export const documentRoutes: Route[] = [
  route(['POST', 'PUT'], '/_bulk', bulk),
  route(['POST', 'PUT'], '/{index}/_bulk', bulk),
  route(['PUT', 'POST'], '/{index}/_doc/{id}', (req) => indexDoc(req, 'index')),
  route('POST', '/{index}/_doc', (req) => indexDoc(req, 'index')),
  route(['PUT', 'POST'], '/{index}/_create/{id}', (req) => indexDoc(req, 'create')),
  route('GET', '/{index}/_doc/{id}', getDoc),
  route('DELETE', '/{index}/_doc/{id}', deleteDoc),
];
