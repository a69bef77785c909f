import type { estypes } from '@elastic/elasticsearch';
import { aggregate } from '../aggs';
import { docDate } from '../date-values';
import { EsError, illegalArgument } from '../errors';
import { NUMERIC, resolveField, sourceValues, type Props } from '../field-types';
import { resolveIndices } from '../index-expr';
import { isActive, type IndexState } from '../index-model';
import { compileQuery } from '../query';
import { route, flag, type EsRequest, type EsResponse, type Route } from '../router';
import { clearScrolls, continueScroll, openScroll, type ScrollContext } from '../scroll';
import { applySourceFilter, sourceFilterOf } from '../source-filter';
import { parseDuration } from '../time-units';
import { majorOf } from '../versions';

export type Hit = { index: string; id: string; source: Record<string, unknown>; shard: string; props: Props };

/** Every searchable document matching the request, plus shard statistics. Unassigned shards count as failed. */
function collect(req: EsRequest, query: Record<string, unknown> | undefined): { hits: Hit[]; shards: estypes.ShardStatistics; props: Props[] } {
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
    // Compiled once per index: field types come from that index's mappings, as each shard builds its own query.
    const test = compileQuery(query, { now, props: idx.mappings.properties, index: idx.name });
    for (const g of idx.groups) {
      total++;
      if (!g.copies.some(isActive)) {
        failures.push({ shard: g.num, index: idx.name, reason: { type: 'no_shard_available_action_exception', reason: null as unknown as string } });
        continue;
      }
      for (const d of c.searchView(g, req.stale).values()) {
        const src = needsId ? { _id: d.id, ...d.source } : d.source;
        if (test(src)) hits.push({ index: idx.name, id: d.id, source: d.source, shard: `${idx.name}#${g.num}`, props: idx.mappings.properties });
      }
    }
  }
  if (total > 0 && failures.length === total)
    throw new EsError(503, 'search_phase_execution_exception', 'all shards failed', { phase: 'query', grouped: true, failed_shards: failures });
  const props = indices.map((i) => i.mappings.properties);
  return { hits, props, shards: { total, successful: total - failures.length, skipped: 0, failed: failures.length, ...(failures.length ? { failures } : {}) } };
}

function requestQuery(req: EsRequest): Record<string, unknown> | undefined {
  const q = req.query.get('q');
  if (q) return { query_string: { query: q, default_field: req.query.get('df') ?? undefined, default_operator: req.query.get('default_operator') ?? undefined } };
  return (req.body as { query?: Record<string, unknown> } | undefined)?.query;
}

/** Typed endpoints (`/{index}/{type}/_search`, `_count`) exist in 7.x only, deprecated; 8.x has no such route. */
function typedOnly(req: EsRequest): void {
  if (req.params.type !== undefined && majorOf(req.node.spec.version) >= 8)
    throw new EsError(400, 'illegal_argument_exception', `no handler found for uri [${req.path}] and method [${req.method}]`);
}

function count(req: EsRequest): EsResponse {
  typedOnly(req);
  const { hits, shards } = collect(req, requestQuery(req));
  const body: estypes.CountResponse = { count: hits.length, _shards: shards };
  return { body };
}

type SortSpec = { field: string; desc: boolean; missing?: unknown };

function parseSort(raw: unknown, qs: string | null): SortSpec[] {
  if (qs) return qs.split(',').map((s) => ({ field: s.split(':')[0], desc: s.split(':')[1] === 'desc' }));
  if (!raw) return [];
  return (Array.isArray(raw) ? raw : [raw]).flatMap((s) => {
    if (typeof s === 'string') return [{ field: s, desc: s === '_score' }];
    return Object.entries(s as Record<string, unknown>).map(([field, spec]) => {
      const order = typeof spec === 'string' ? spec : (spec as { order?: string }).order;
      return { field, desc: order ? order === 'desc' : field === '_score', missing: typeof spec === 'object' ? (spec as { missing?: unknown }).missing : undefined };
    });
  });
}

/** A document's sort key: dates as epoch millis (what `sort` values show), numbers, keywords; min for asc, max for desc. */
function sortValue(h: Hit, s: SortSpec): number | string | undefined {
  const f = resolveField(h.props, s.field, h.source);
  if (f.type === 'text')
    throw illegalArgument(
      `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${s.field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
    );
  const vals = sourceValues(h.source, f)
    .map((v) => (f.type === 'date' ? docDate(v) : NUMERIC.has(f.type) ? Number(v) : String(v)))
    .filter((v): v is number | string => v !== undefined);
  if (!vals.length) return undefined;
  return vals.reduce((a, b) => ((s.desc ? b > a : b < a) ? b : a));
}

function sortHits(hits: Hit[], sort: SortSpec[]): Map<Hit, Array<number | string | null>> {
  const keys = new Map<Hit, Array<number | string | undefined>>();
  for (const h of hits) keys.set(h, sort.map((s) => sortValue(h, s)));
  hits.sort((x, y) => {
    const kx = keys.get(x)!;
    const ky = keys.get(y)!;
    for (let i = 0; i < sort.length; i++) {
      const a = kx[i];
      const b = ky[i];
      if (a === b) continue;
      // Missing values sort last in either direction (`missing: _last`), first with `missing: _first`.
      const first = sort[i].missing === '_first';
      if (a === undefined) return first ? -1 : 1;
      if (b === undefined) return first ? 1 : -1;
      const cmp = a < b ? -1 : 1;
      return sort[i].desc ? -cmp : cmp;
    }
    return 0;
  });
  return new Map([...keys].map(([h, k]) => [h, k.map((v) => (v === undefined ? null : v))]));
}

/** Searches share one result-window limit: index.max_result_window, 10,000 unless an index sets it. */
const MAX_RESULT_WINDOW = 10_000;

function windowTooLarge(n: number): EsError {
  const reason = `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${n}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`;
  const cause = { type: 'illegal_argument_exception', reason };
  return new EsError(400, 'search_phase_execution_exception', 'all shards failed', { phase: 'query', grouped: true, failed_shards: [] }, cause, cause);
}

function search(req: EsRequest): EsResponse {
  typedOnly(req);
  const c = req.cluster;
  const started = c.clock.now();
  const b = (req.body ?? {}) as Record<string, unknown>;
  const scroll = req.query.get('scroll') ?? (b.scroll as string | undefined);
  const size = Number(req.query.get('size') ?? b.size ?? 10);
  const from = Number(req.query.get('from') ?? b.from ?? 0);
  const trackRaw = req.query.get('track_total_hits') ?? b.track_total_hits;
  if (scroll) {
    if (from > 0) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: using [from] is not allowed in a scroll context;');
    if (trackRaw === false || trackRaw === 'false')
      throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: disabling [track_total_hits] is not allowed in a scroll context;');
  }
  if (from + size > MAX_RESULT_WINDOW && !scroll) throw windowTooLarge(from + size);
  if (scroll && size > MAX_RESULT_WINDOW) throw windowTooLarge(size);
  const { hits, shards, props } = collect(req, requestQuery(req));
  const sort = parseSort(b.sort, req.query.get('sort')).filter((s) => s.field !== '_score' && s.field !== '_doc');
  const sortKeys = sort.length ? sortHits(hits, sort) : undefined;
  // Scroll always counts hits exactly, whatever track_total_hits says.
  const track = scroll ? true : (trackRaw ?? 10_000);
  const limit = track === true || track === 'true' ? Infinity : track === false || track === 'false' ? -1 : Number(track);
  const total: estypes.SearchTotalHits = hits.length > limit ? { value: limit, relation: 'gte' } : { value: hits.length, relation: 'eq' };
  const filter = sourceFilterOf(b._source, req.query);
  const withType = majorOf(req.node.spec.version) < 8;
  const shape = (h: Hit): Record<string, unknown> => {
    const src = applySourceFilter(h.source, filter);
    return {
      _index: h.index,
      // 7.x still reports the (single) mapping type of every hit; 8.x dropped the field.
      ...(withType ? { _type: '_doc' } : {}),
      _id: h.id,
      _score: sort.length ? null : 1,
      ...(src !== undefined ? { _source: src } : {}),
      ...(sortKeys ? { sort: sortKeys.get(h) } : {}),
    };
  };
  const asInt = flag(req.query, 'rest_total_hits_as_int');
  const page = scroll ? hits.slice(0, size) : hits.slice(from, from + size);
  const body: Record<string, unknown> = {};
  if (scroll) {
    const keepAliveMs = parseDuration(scroll, 'scroll');
    const all = hits.map(shape);
    const { id } = openScroll(c, { hits: all, pos: page.length, size, keepAliveMs, total, shards: shards as unknown as Record<string, unknown> });
    body._scroll_id = id;
  }
  Object.assign(body, {
    took: Math.max(1, Math.round(c.clock.now() - started)),
    timed_out: false,
    _shards: shards,
    hits: {
      ...(limit >= 0 ? { total: asInt ? total.value : total } : {}),
      max_score: sort.length || !page.length ? null : 1,
      hits: page.map(shape),
    },
  });
  const aggs = (b.aggs ?? b.aggregations) as Record<string, Record<string, unknown>> | undefined;
  if (aggs)
    body.aggregations = aggregate(aggs, hits.map((h) => h.source), {
      now: c.clock.now(),
      shards: hits.map((h) => h.shard),
      shardCount: shards.total,
      version: req.node.spec.version,
      // An aggregation reads the field as the first searched index that maps it does.
      field: (name) => props.map((p) => resolveField(p, name)).find((f) => f.type !== 'unknown') ?? resolveField(undefined, name, hits[0]?.source ?? {}),
    });
  return { body };
}

function scrollIds(req: EsRequest): string[] {
  const b = req.body as { scroll_id?: unknown } | undefined;
  const raw = req.params.scroll_id ?? req.query.get('scroll_id') ?? b?.scroll_id;
  if (raw === undefined || raw === null) return [];
  return (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).filter(Boolean);
}

function scrollNext(req: EsRequest): EsResponse {
  const c = req.cluster;
  const started = c.clock.now();
  const ids = scrollIds(req);
  const ka = req.query.get('scroll') ?? (req.body as { scroll?: string } | undefined)?.scroll;
  const ctx: ScrollContext = continueScroll(c, ids[0] ?? '', ka ? parseDuration(ka, 'scroll') : undefined);
  const page = ctx.hits.slice(ctx.pos, ctx.pos + ctx.size);
  ctx.pos += page.length;
  const asInt = flag(req.query, 'rest_total_hits_as_int');
  return {
    body: {
      _scroll_id: ids[0],
      took: Math.max(1, Math.round(c.clock.now() - started)),
      timed_out: false,
      terminated_early: false,
      _shards: ctx.shards,
      hits: { total: asInt ? ctx.total.value : ctx.total, max_score: page.length ? (page[0] as { _score: unknown })._score : null, hits: page },
    },
  };
}

/** Clear scroll answers 404 (with the same body) when nothing was freed, as ClearScrollResponse.status() does. */
function scrollClear(req: EsRequest): EsResponse {
  const ids = scrollIds(req);
  if (!ids.length) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: no scroll ids specified;');
  const freed = clearScrolls(req.cluster, ids);
  return { status: freed === 0 ? 404 : 200, body: { succeeded: true, num_freed: freed } };
}

export const searchRoutes: Route[] = [
  route(['GET', 'POST'], '/_search/scroll', scrollNext),
  route(['GET', 'POST'], '/_search/scroll/{scroll_id}', scrollNext),
  route('DELETE', '/_search/scroll', scrollClear),
  route('DELETE', '/_search/scroll/{scroll_id}', scrollClear),
  route(['GET', 'POST'], '/_count', count),
  route(['GET', 'POST'], '/{index}/_count', count),
  route(['GET', 'POST'], '/{index}/{type}/_count', count),
  route(['GET', 'POST'], '/_search', search),
  route(['GET', 'POST'], '/{index}/_search', search),
  route(['GET', 'POST'], '/{index}/{type}/_search', search),
];
