/**
 * Search behaviour Elastalert and a rule tester rely on. Runs against the simulator at 7.17 and 8.x; with ES_URL
 * set it runs unchanged against that one real cluster (only its own `elk-ops-contract-*` indices).
 * Asserts documented behaviour only: response shapes from the search, count, scroll and aggregation references.
 */
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src/clock';
import { startElasticsearchSimulator, type ElasticsearchSimulator } from '../../sim/elasticsearch';
import { responseError } from '../sim/elasticsearch/sim-harness';

const REAL = process.env.ES_URL;
const versions = REAL ? ['real'] : ['7.17.25', '8.15.0'];

const T0 = Date.UTC(2024, 0, 1, 10, 0);
const MIN = 60_000;
/** 60 documents, one a minute from 10:00; every 6th a 503; hosts cycle web-1, web-2, api-1. */
const docs = Array.from({ length: 60 }, (_, i) => ({
  '@timestamp': new Date(T0 + i * MIN).toISOString(),
  Status: i % 6 === 0 ? 503 : i % 5 === 0 ? 404 : 200,
  host: ['web-1', 'web-2', 'api-1'][i % 3],
  message: i % 2 ? `GET /api/orders took ${i}ms` : `POST /login failed for user${i}`,
  n: i,
}));

describe.each(versions)('search contract (%s)', (version) => {
  let client: Client;
  let sim: ElasticsearchSimulator | undefined;
  let major = 8;
  const index = `elk-ops-contract-${Date.now().toString(36)}-${version.replace(/\./g, '')}-search`;

  beforeAll(async () => {
    if (REAL) client = new Client({ node: REAL, maxRetries: 0 });
    else {
      sim = await startElasticsearchSimulator({ clock: scaledClock(1) });
      sim.cluster.seedNode({ name: 'es-1', ip: '10.0.0.1', version, roles: ['master', 'data'] });
      client = new Client({ node: sim.url, maxRetries: 0 });
    }
    major = Number((await client.info()).version.number.split('.')[0]);
    await client.indices.create({ index, settings: { number_of_shards: 2, number_of_replicas: 0 } });
    await client.bulk({ refresh: true, operations: docs.flatMap((d) => [{ index: { _index: index } }, d]) });
  });
  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
    await sim?.close();
  });

  const qs = async (query: string, extra: Record<string, unknown> = {}) =>
    (await client.count({ index, query: { query_string: { query, ...extra } } })).count;
  const want = (f: (d: (typeof docs)[number]) => boolean) => docs.filter(f).length;

  it('query_string: Lucene ranges, with or without a space after the colon, inclusive and exclusive bounds', async () => {
    expect(await qs('Status: [500 TO 599]')).toBe(want((d) => d.Status >= 500));
    expect(await qs('Status:[500 TO 599]')).toBe(want((d) => d.Status >= 500));
    expect(await qs('Status:{404 TO 503]')).toBe(want((d) => d.Status === 503));
    expect(await qs('Status:[404 TO 503}')).toBe(want((d) => d.Status === 404));
    expect(await qs('Status:[* TO 404]')).toBe(want((d) => d.Status <= 404));
    expect(await qs('Status:>=404')).toBe(want((d) => d.Status >= 404));
    expect(await qs('Status:<404')).toBe(want((d) => d.Status < 404));
    expect(await qs('n:(>=10 AND <20)')).toBe(10);
    expect(await qs('@timestamp:[2024-01-01T10:10:00Z TO 2024-01-01T10:19:59Z]')).toBe(10);
  });

  it('query_string: boolean operators, +/-, parentheses, default_operator, _exists_, wildcards and phrases', async () => {
    expect(await qs('Status:503 AND host:web-1')).toBe(want((d) => d.Status === 503 && d.host === 'web-1'));
    expect(await qs('Status:503 && NOT host.keyword:web-1')).toBe(want((d) => d.Status === 503 && d.host !== 'web-1'));
    expect(await qs('Status:503 || Status:404')).toBe(want((d) => d.Status !== 200));
    expect(await qs('+Status:200 -host.keyword:api-1')).toBe(want((d) => d.Status === 200 && d.host !== 'api-1'));
    expect(await qs('!Status:200')).toBe(want((d) => d.Status !== 200));
    expect(await qs('(Status:503 OR Status:404) AND host.keyword:(web-2 OR api-1)')).toBe(want((d) => d.Status !== 200 && d.host !== 'web-1'));
    expect(await qs('Status:503 host.keyword:web-1', { default_operator: 'AND' })).toBe(want((d) => d.Status === 503 && d.host === 'web-1'));
    expect(await qs('Status:503 host.keyword:web-1')).toBe(want((d) => d.Status === 503 || d.host === 'web-1'));
    expect(await qs('_exists_:message')).toBe(60);
    expect(await qs('_exists_:nope')).toBe(0);
    expect(await qs('host.keyword:web*')).toBe(want((d) => d.host.startsWith('web')));
    expect(await qs('host.keyword:web-?')).toBe(want((d) => d.host.startsWith('web')));
    expect(await qs('host.keyword:WEB*')).toBe(0); // keyword: no normalizer, case-sensitive
    expect(await qs('message:"login failed"')).toBe(30);
    expect(await qs('message:"failed login"')).toBe(0);
    expect(await qs('orders', { default_field: 'message' })).toBe(30);
    expect(await qs('ORDERS')).toBe(30); // text is analysed (lower-cased), default_field "*" searches all fields
  });

  it('query_string syntax errors are 400 with a query_shard_exception root cause', async () => {
    const err = await responseError(client.search({ index, query: { query_string: { query: 'Status:[500 TO' } } }));
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { root_cause: Array<{ type: string }> } }).error.root_cause[0].type).toBe('query_shard_exception');
  });

  it('the filter Elastalert sends: bool.filter.bool.must [range gt/lte, query_string], sorted on @timestamp', async () => {
    const body = {
      query: { bool: { filter: { bool: { must: [{ range: { '@timestamp': { gt: '2024-01-01T10:00:00Z', lte: '2024-01-01T10:30:00Z' } } }, { query_string: { query: 'Status: [500 TO 599]' } }] } } } },
      sort: [{ '@timestamp': { order: 'asc' } }],
    };
    const res = await client.search({ index, size: 10_000, _source_includes: ['@timestamp', '*'], ...body });
    // gt excludes 10:00 (a 503), lte includes 10:30 (a 503).
    const expected = docs.filter((d) => d.Status === 503 && d.n > 0 && d.n <= 30).map((d) => d['@timestamp']);
    expect(res.hits.hits.map((h) => (h._source as { '@timestamp': string })['@timestamp'])).toEqual(expected);
    expect(res.hits.total).toEqual({ value: expected.length, relation: 'eq' });
    expect(res.hits.hits[0].sort).toEqual([Date.parse(expected[0])]);
    const count = await client.count({ index, query: body.query });
    expect(count.count).toBe(expected.length);
    // 7.x names the mapping type of every hit `_doc`; 8.x hits carry no _type.
    for (const h of res.hits.hits) expect((h as { _type?: string })._type).toBe(major < 8 ? '_doc' : undefined);
  });

  it('_source filtering: false, includes and excludes', async () => {
    const off = await client.search({ index, size: 1, _source: false });
    expect(off.hits.hits[0]._source).toBeUndefined();
    const inc = await client.search({ index, size: 1, _source: ['host', 'Status'] });
    expect(Object.keys(inc.hits.hits[0]._source as object).sort()).toEqual(['Status', 'host']);
    const exc = await client.search({ index, size: 1, _source_excludes: ['message', 'n'] });
    expect(Object.keys(exc.hits.hits[0]._source as object).sort()).toEqual(['@timestamp', 'Status', 'host']);
  });

  it('track_total_hits: a lower bound with relation gte, exact with true, absent with false', async () => {
    expect((await client.search({ index, size: 0, track_total_hits: 10 })).hits.total).toEqual({ value: 10, relation: 'gte' });
    expect((await client.search({ index, size: 0, track_total_hits: true })).hits.total).toEqual({ value: 60, relation: 'eq' });
    expect((await client.search({ index, size: 0, track_total_hits: false })).hits.total).toBeUndefined();
    expect((await client.search({ index, size: 0, rest_total_hits_as_int: true })).hits.total).toBe(60);
  });

  it('scroll: pages of `size` in sort order, exact totals, an empty last page, then clear-scroll (404 once freed)', async () => {
    const first = await client.search({ index, scroll: '1m', size: 25, sort: [{ '@timestamp': 'desc' }], query: { match_all: {} } });
    expect(typeof first._scroll_id).toBe('string');
    const seen = first.hits.hits.map((h) => (h._source as { n: number }).n);
    let id = first._scroll_id!;
    for (;;) {
      const page = await client.scroll({ scroll_id: id, scroll: '1m' });
      expect(page.hits.total).toEqual({ value: 60, relation: 'eq' });
      if (!page.hits.hits.length) break;
      seen.push(...page.hits.hits.map((h) => (h._source as { n: number }).n));
      id = page._scroll_id!;
    }
    expect(seen).toEqual(docs.map((d) => d.n).reverse());
    const cleared = await client.clearScroll({ scroll_id: id });
    expect(cleared).toMatchObject({ succeeded: true, num_freed: 1 });
    const again = await responseError(client.clearScroll({ scroll_id: id }));
    expect(again.statusCode).toBe(404);
    expect(again.body).toMatchObject({ succeeded: true, num_freed: 0 });
    const gone = await responseError(client.scroll({ scroll_id: id, scroll: '1m' }));
    expect(gone.statusCode).toBe(404);
  });

  it('date_histogram: fixed and calendar intervals, key/key_as_string, min_doc_count and extended_bounds', async () => {
    const res = await client.search({
      index,
      size: 0,
      query: { range: { '@timestamp': { gte: '2024-01-01T10:00:00Z', lt: '2024-01-01T10:20:00Z' } } },
      aggs: {
        fixed: { date_histogram: { field: '@timestamp', fixed_interval: '10m' } },
        cal: { date_histogram: { field: '@timestamp', calendar_interval: 'hour' } },
        wide: { date_histogram: { field: '@timestamp', fixed_interval: '10m', min_doc_count: 0, extended_bounds: { min: '2024-01-01T09:40:00Z', max: '2024-01-01T10:30:00Z' } } },
      },
    });
    const a = res.aggregations as Record<string, { buckets: Array<{ key: number; key_as_string: string; doc_count: number }> }>;
    expect(a.fixed.buckets).toEqual([
      { key: T0, key_as_string: '2024-01-01T10:00:00.000Z', doc_count: 10 },
      { key: T0 + 10 * MIN, key_as_string: '2024-01-01T10:10:00.000Z', doc_count: 10 },
    ]);
    expect(a.cal.buckets).toEqual([{ key: T0, key_as_string: '2024-01-01T10:00:00.000Z', doc_count: 20 }]);
    expect(a.wide.buckets.map((b) => [b.key_as_string.slice(11, 16), b.doc_count])).toEqual([['09:40', 0], ['09:50', 0], ['10:00', 10], ['10:10', 10], ['10:20', 0], ['10:30', 0]]);
  });

  it('terms: size, order, doc_count_error_upper_bound and sum_other_doc_count', async () => {
    const res = await client.search({
      index,
      size: 0,
      aggs: {
        top: { terms: { field: 'host.keyword', size: 2 } },
        byKey: { terms: { field: 'Status', order: { _key: 'asc' } } },
      },
    });
    const a = res.aggregations as Record<string, { doc_count_error_upper_bound: number; sum_other_doc_count: number; buckets: Array<{ key: unknown; doc_count: number }> }>;
    expect(a.top.buckets).toEqual([{ key: 'api-1', doc_count: 20 }, { key: 'web-1', doc_count: 20 }]);
    expect(a.top.sum_other_doc_count).toBe(20);
    expect(a.top.doc_count_error_upper_bound).toBe(0);
    expect(a.byKey.buckets).toEqual([{ key: 200, doc_count: want((d) => d.Status === 200) }, { key: 404, doc_count: want((d) => d.Status === 404) }, { key: 503, doc_count: 10 }]);
    expect(a.byKey.sum_other_doc_count).toBe(0);
  });
});
