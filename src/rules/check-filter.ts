/**
 * The rule's `filter` as Elastalert 0.2.4 sends it to Elasticsearch ≥ 5, checked before a job runs.
 * Elastalert does not look inside the clauses: schema.yaml allows any list items, modify_rule_for_ES5 replaces
 * each `{query: X}` (X truthy) by X, and get_query puts the rest into `bool.must` as they are. So a clause
 * Elasticsearch does not know fails only when the first query runs — every run, and the rule never alerts.
 * The field notes' `- query: {query: "Status: [500 TO 599]"}` is such a clause: stripped to
 * `{query: "Status: …"}`, which ES refuses with "unknown query [query]".
 */
import { closestKey } from './closest-key';

/** Query types Elasticsearch 7.17 and 8.x parse (the cluster versions the bot supports). */
export const ES_QUERY_TYPES = [
  'bool', 'boosting', 'constant_score', 'dis_max', 'function_score', 'script', 'script_score', 'wrapper', 'pinned',
  'match_all', 'match_none', 'match', 'match_phrase', 'match_phrase_prefix', 'match_bool_prefix', 'multi_match',
  'combined_fields', 'query_string', 'simple_query_string', 'intervals', 'term', 'terms', 'terms_set', 'range',
  'exists', 'prefix', 'wildcard', 'regexp', 'fuzzy', 'ids', 'nested', 'has_child', 'has_parent', 'parent_id',
  'geo_bounding_box', 'geo_distance', 'geo_polygon', 'geo_shape', 'shape', 'more_like_this', 'percolate',
  'distance_feature', 'rank_feature', 'span_term', 'span_multi', 'span_first', 'span_near', 'span_or', 'span_not',
  'span_containing', 'span_within', 'field_masking_span',
] as const;
const KNOWN = new Set<string>(ES_QUERY_TYPES);

/** Filters of Elasticsearch 1.x/2.x (and old Elastalert examples) that ES 5 removed, with what replaces them. */
const REMOVED: Readonly<Record<string, string>> = {
  filtered: 'bool with must / filter',
  and: 'bool: {must: [...]}',
  or: 'bool: {should: [...], minimum_should_match: 1}',
  not: 'bool: {must_not: [...]}',
  missing: 'bool: {must_not: [{exists: {field: …}}]}',
  limit: 'nothing (remove it; use max_query_size)',
  indices: 'a term query on _index',
  query: '',
};

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

export interface FilterIssue {
  key: string;
  message: string;
}

export function filterIssues(filter: unknown): FilterIssue[] {
  const out: FilterIssue[] = [];
  if (filter === undefined || filter === null) return out;
  if (isMap(filter)) {
    // schema.yaml: an object filter may only hold download_dashboard (Kibana dashboards); clauses go in a list.
    const extra = Object.keys(filter).filter((k) => k !== 'download_dashboard');
    if (extra.length)
      out.push({ key: 'filter', message: `filter is a mapping with ${extra.map((k) => `"${k}"`).join(', ')}; Elastalert's schema refuses it: write the clauses as a list, e.g. filter:\n- ${extra[0]}: …` });
    return out;
  }
  if (!Array.isArray(filter)) return out; // the type check already reports it
  filter.forEach((item, i) => {
    const key = `filter[${i}]`;
    const err = (message: string) => out.push({ key, message });
    if (!isMap(item)) {
      // modify_rule_for_ES5 calls es_filter.get('query'): a string or empty item raises AttributeError at load.
      err(`filter item ${i} is ${show(item)}, not a query clause; Elastalert fails loading the rule. Write e.g. \`- query_string: {query: "Status: 500"}\``);
      return;
    }
    // On ES >= 5 Elastalert replaces {query: X} by X when X is truthy (elastalert.py modify_rule_for_ES5).
    const unwrapped = item.query ? item.query : item;
    const via = item.query ? ' (after Elastalert strips the outer `query:`)' : '';
    if (!isMap(unwrapped)) {
      const fix = typeof unwrapped === 'string' ? `\`- query_string: {query: ${JSON.stringify(unwrapped)}}\`` : '`- query_string: {query: "…"}`';
      err(`filter item ${i} sends ${show(unwrapped)}${via}, which is not a query; Elasticsearch refuses it. Write ${fix}`);
      return;
    }
    const names = Object.keys(unwrapped);
    if (names.length === 0) {
      err(`filter item ${i} is an empty clause${via}; Elasticsearch refuses it ("query malformed, empty clause found"). Remove it or write a query`);
      return;
    }
    if (names.length > 1) {
      err(`filter item ${i} has ${names.length} queries in one clause (${names.join(', ')})${via}; Elasticsearch refuses it ("[${names[0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]"). Put each in its own list item`);
      return;
    }
    const type = names[0];
    const body = unwrapped[type];
    if (type === 'query') {
      const inner = isMap(body) || typeof body !== 'string' ? undefined : body;
      const fix = inner !== undefined ? `query_string: {query: ${JSON.stringify(inner)}}` : 'query_string: {query: "…"}';
      err(
        `filter item ${i} sends {query: ${show(body)}}${via}; Elasticsearch ≥ 5 has no query named "query" and refuses it ("unknown query [query]"), so the rule never matches. ` +
          `Write \`- query: {${fix}}\` (or \`- ${fix}\`)`,
      );
      return;
    }
    if (type in REMOVED) {
      err(`filter item ${i} uses "${type}"${via}, removed in Elasticsearch 5 ("unknown query [${type}]"); use ${REMOVED[type]}`);
      return;
    }
    if (!KNOWN.has(type)) {
      const hint = closestKey(type, ES_QUERY_TYPES);
      err(`filter item ${i} uses an unknown query "${type}"${via}; Elasticsearch refuses it ("unknown query [${type}]")${hint ? `: did you mean ${hint}?` : ''}`);
      return;
    }
    if (!isMap(body)) {
      err(`filter item ${i}: ${type} takes a mapping, got ${show(body)}${via}; Elasticsearch refuses it ("[${type}] query malformed, no start_object after query name")`);
      return;
    }
    if ((type === 'query_string' || type === 'simple_query_string') && typeof body.query !== 'string')
      err(`filter item ${i}: ${type} needs query: "<lucene query>"${via}; Elasticsearch refuses it without one ("[${type}] must be provided with a [query]")`);
  });
  return out;
}
