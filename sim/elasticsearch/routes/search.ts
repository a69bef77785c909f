import type { estypes } from '@elastic/elasticsearch';
import { aggregate } from '../aggs';
import { EsError } from '../errors';
import { resolveIndices } from '../index-expr';
import { isActive, type IndexState } from '../index-model';
import { matches } from '../query';
import { route, flag, type EsRequest, type EsResponse, type Route } from '../router';
import { getField } from '../settings';

type Hit = { index: string; id: string; source: Record<string, unknown> };

/** Every searchable document matching the request, plus shard statistics. Unassigned shards count as failed. */
function collect(req: EsRequest, query: Record<string, unknown> | undefined): { hits: Hit[]; shards: estypes.ShardStatistics } {
  const c = req.cluster;
  const indices: IndexState[] = resolveIndices(c, req.params.index, {
    expandWildcards: req.query.get('expand_wildcards') ?? 'open',
    ignoreUnavailable: flag(req.query, 'ignore_unavailable'),
    allowNoIndices: flag(req.query, 'allow_no_indices', true),
  });
  const now = c.clock.now();
  const hits: Hit[] = [];
  const failures: estypes.ShardFailure[] = [];
  let total = 0;
  const needsId = JSON.stringify(query ?? {}).includes('"ids"');
  for (const idx of indices) {
    for (const g of idx.groups) {
      total++;
      if (!g.copies.some(isActive)) {
        failures.push({ shard: g.num, index: idx.name, reason: { type: 'no_shard_available_action_exception', reason: null as unknown as string } });
        continue;
      }
      for (const d of c.searchView(g, req.stale).values()) {
        const src = needsId ? { _id: d.id, ...d.source } : d.source;
        if (matches(query, src, now)) hits.push({ index: idx.name, id: d.id, source: d.source });
      }
    }
  }
  if (total > 0 && failures.length === total)
    throw new EsError(503, 'search_phase_execution_exception', 'all shards failed', { phase: 'query', grouped: true, failed_shards: failures });
  return { hits, shards: { total, successful: total - failures.length, skipped: 0, failed: failures.length, ...(failures.length ? { failures } : {}) } };
}

function requestQuery(req: EsRequest): Record<string, unknown> | undefined {
  const q = req.query.get('q');
  if (q) return { query_string: { query: q, default_field: req.query.get('df') ?? undefined } };
  return (req.body as { query?: Record<string, unknown> } | undefined)?.query;
}

function count(req: EsRequest): EsResponse {
  const { hits, shards } = collect(req, requestQuery(req));
  const body: estypes.CountResponse = { count: hits.length, _shards: shards };
  return { body };
}

type SortSpec = { field: string; desc: boolean };

function parseSort(raw: unknown, qs: string | null): SortSpec[] {
  if (qs) return qs.split(',').map((s) => ({ field: s.split(':')[0], desc: s.split(':')[1] === 'desc' }));
  if (!raw) return [];
  return (Array.isArray(raw) ? raw : [raw]).map((s) => {
    if (typeof s === 'string') return { field: s, desc: false };
    const [field, spec] = Object.entries(s as Record<string, unknown>)[0];
    const order = typeof spec === 'string' ? spec : (spec as { order?: string }).order;
    return { field, desc: order === 'desc' };
  });
}

const sortValue = (h: Hit, field: string): unknown => {
  const v = getField(h.source, field.replace(/\.keyword$/, ''));
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return Date.parse(v);
  return v;
};

function search(req: EsRequest): EsResponse {
  const c = req.cluster;
  const started = c.clock.now();
  const b = (req.body ?? {}) as Record<string, unknown>;
  const { hits, shards } = collect(req, requestQuery(req));
  const sort = parseSort(b.sort, req.query.get('sort')).filter((s) => s.field !== '_score' && s.field !== '_doc');
  if (sort.length)
    hits.sort((x, y) => {
      for (const s of sort) {
        const a = sortValue(x, s.field);
        const bv = sortValue(y, s.field);
        if (a === bv) continue;
        if (a === undefined) return 1;
        if (bv === undefined) return -1;
        const cmp = (a as number) < (bv as number) ? -1 : 1;
        return s.desc ? -cmp : cmp;
      }
      return 0;
    });
  const size = Number(req.query.get('size') ?? b.size ?? 10);
  const from = Number(req.query.get('from') ?? b.from ?? 0);
  const track = b.track_total_hits ?? req.query.get('track_total_hits') ?? 10_000;
  const limit = track === true || track === 'true' ? Infinity : track === false || track === 'false' ? -1 : Number(track);
  const total: estypes.SearchTotalHits = hits.length > limit ? { value: limit, relation: 'gte' } : { value: hits.length, relation: 'eq' };
  const page = hits.slice(from, from + size);
  const wantSource = b._source !== false;
  const body: estypes.SearchResponse = {
    took: Math.max(1, Math.round(c.clock.now() - started)),
    timed_out: false,
    _shards: shards,
    hits: {
      ...(limit >= 0 ? { total: flag(req.query, 'rest_total_hits_as_int') ? total.value : total } : {}),
      max_score: sort.length || !page.length ? null : 1,
      hits: page.map((h) => ({
        _index: h.index,
        _id: h.id,
        _score: sort.length ? null : 1,
        ...(wantSource ? { _source: h.source } : {}),
        ...(sort.length ? { sort: sort.map((s) => sortValue(h, s.field) as estypes.FieldValue) } : {}),
      })),
    },
  };
  const aggs = (b.aggs ?? b.aggregations) as Record<string, Record<string, unknown>> | undefined;
  if (aggs) body.aggregations = aggregate(aggs, hits.map((h) => h.source)) as Record<string, estypes.AggregationsAggregate>;
  return { body };
}

export const searchRoutes: Route[] = [
  route(['GET', 'POST'], '/_count', count),
  route(['GET', 'POST'], '/{index}/_count', count),
  route(['GET', 'POST'], '/_search', search),
  route(['GET', 'POST'], '/{index}/_search', search),
];
