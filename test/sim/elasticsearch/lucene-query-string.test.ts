import { describe, expect, it } from 'vitest';
import { parseLucene, queryStringToDsl, tokenize } from '../../../sim/elasticsearch/lucene-query-string';
import { compileQuery } from '../../../sim/elasticsearch/query';
import { EsError } from '../../../sim/elasticsearch/errors';

const props = { '@timestamp': { type: 'date' }, Status: { type: 'long' }, host: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } };
const doc = { '@timestamp': '2024-01-01T10:00:00.000Z', Status: 503, host: 'Web-1' };
const hit = (query: string, extra: Record<string, unknown> = {}) => compileQuery({ query_string: { query, ...extra } }, { now: 0, props, index: 'i' })(doc);

describe('Lucene query_string as Elasticsearch parses it', () => {
  it('skips whitespace between tokens: a space after the colon changes nothing', () => {
    expect(queryStringToDsl({ query: 'Status: [500 TO 599]' }, { now: 0, props })).toEqual({ range: { Status: { gte: '500', lte: '599' } } });
    expect(queryStringToDsl({ query: 'Status : 503' }, { now: 0, props })).toEqual(queryStringToDsl({ query: 'Status:503' }, { now: 0, props }));
  });

  it('follows Lucene clause logic, not operator precedence: a OR b AND c is a +b +c', () => {
    const n = parseLucene('a OR b AND c', 'or');
    expect(n).toMatchObject({ t: 'bool', clauses: [{ occur: 'should' }, { occur: 'must' }, { occur: 'must' }] });
    expect(parseLucene('a b', 'and')).toMatchObject({ clauses: [{ occur: 'must' }, { occur: 'must' }] });
    expect(parseLucene('a OR b', 'and')).toMatchObject({ clauses: [{ occur: 'should' }, { occur: 'should' }] });
    expect(parseLucene('a NOT b', 'or')).toMatchObject({ clauses: [{ occur: 'should' }, { occur: 'must_not' }] });
  });

  it('lexes like JavaCC: longest match, AND beats TERM on a tie, ANDROID is a term, web-1 one term, -x a modifier', () => {
    const kinds = (q: string) => tokenize(q).map((t) => `${t.kind}:${t.image}`);
    expect(kinds('AND ANDROID web-1 -x web*')).toEqual(['AND:AND', 'TERM:ANDROID', 'TERM:web-1', 'MINUS:-', 'TERM:x', 'PREFIXTERM:web*', 'EOF:']);
    expect(kinds('f:[a TO "b c"}^2')).toEqual(['TERM:f', 'COLON::', 'RANGEIN_START:[', 'RANGE_GOOP:a', 'RANGE_TO:TO', 'RANGE_QUOTED:"b c"', 'RANGEEX_END:}', 'CARAT:^', 'NUMBER:2', 'EOF:']);
  });

  it('matches text as analysed words and keyword exactly; dates by their precision; numbers numerically', () => {
    expect(hit('host:WEB')).toBe(true); // text: lower-cased words "web", "1"
    expect(hit('host.keyword:web-1')).toBe(false); // keyword keeps "Web-1"
    expect(hit('host.keyword:Web\\-1')).toBe(true);
    expect(hit('host.keyword:W*')).toBe(true);
    expect(hit('host:W*')).toBe(true); // text fields normalise wildcard terms
    expect(hit('@timestamp:2024-01-01')).toBe(true); // the whole day
    expect(hit('@timestamp:{2024-01-01T10:00:00Z TO *]')).toBe(false);
    expect(hit('Status:503.0')).toBe(true);
    expect(hit('NOT Status:503')).toBe(false);
    expect(hit('-Status:200')).toBe(true); // only negative clauses: everything else matches
    expect(hit('*')).toBe(true);
    expect(hit('Status:*')).toBe(true);
    expect(hit('webb~1', { default_field: 'host' })).toBe(true);
  });

  it('refuses what Elasticsearch refuses: syntax errors, non-numbers on numeric fields, wildcards on numbers', () => {
    const err = (q: string, extra = {}) => {
      try {
        hit(q, extra);
      } catch (e) {
        return (e as EsError).body().error as { root_cause: Array<{ type: string; reason: string }>; type: string };
      }
      throw new Error('expected an error');
    };
    expect(err('Status:[500 to 599]').root_cause[0]).toMatchObject({ type: 'query_shard_exception', reason: 'Failed to parse query [Status:[500 to 599]]' });
    expect(err('(Status:503').type).toBe('search_phase_execution_exception');
    expect(err('Status:abc').root_cause[0].reason).toBe('failed to create query: For input string: "abc"');
    expect(err('Status:5*').root_cause[0].reason).toContain('Can only use prefix queries on keyword and text fields');
    expect(err('host:*eb', { allow_leading_wildcard: false }).type).toBe('search_phase_execution_exception');
    // Over all fields ("*") Elasticsearch is lenient: the same terms just do not match numeric fields.
    expect(hit('abc')).toBe(false);
  });
});
