import { docDate, parseDateValue } from './date-values';
import { EsError, parsingError } from './errors';
import { analyze, NUMERIC, resolveField, sourceValues, textTokens, type FieldInfo, type Props } from './field-types';
import { inferMappings } from './index-model';
import { queryStringToDsl } from './lucene-query-string';

type Doc = Record<string, unknown>;
type Query = Record<string, unknown>;
export type Predicate = (doc: Doc) => boolean;

/** What a query is compiled against: the clock (date math) and, when known, the index's mappings. */
export interface QueryContext {
  now: number;
  /** The index's mapping properties. Without them each document's values are typed as dynamic mapping would type them. */
  props?: Props;
  index?: string;
}

/**
 * A shard-level query failure as Elasticsearch reports it when every shard fails the same way:
 * 400 search_phase_execution_exception whose root cause is a query_shard_exception naming the index.
 */
export function queryShardError(ctx: QueryContext, reason: string, causedBy?: { type: string; reason: string }): EsError {
  const index = ctx.index ?? '_na_';
  const cause = { type: 'query_shard_exception', reason, index_uuid: '_na_', index };
  return new EsError(
    400,
    'search_phase_execution_exception',
    'all shards failed',
    { phase: 'query', grouped: true, failed_shards: [{ shard: 0, index, reason: { ...cause, ...(causedBy ? { caused_by: causedBy } : {}) } }] },
    undefined,
    cause,
  );
}

const single = (q: unknown, name: string): [string, unknown] => {
  const entries = Object.entries((q ?? {}) as Record<string, unknown>).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1) throw parsingError(`[${name}] query doesn't support multiple fields, found [${entries.map((e) => e[0]).join('] and [')}]`);
  return entries[0];
};

const asList = (v: unknown): Query[] => (v === undefined ? [] : Array.isArray(v) ? (v as Query[]) : [v as Query]);
const inner = (v: unknown, key: string): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : v);
const opt = (v: unknown, key: string): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined);

/** Lucene wildcard syntax (`*`, `?`, `\` escapes) as an anchored RegExp. */
export function wildcardRegExp(pattern: string, caseInsensitive = false): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u');
}

/** Optimal string alignment distance: Lucene's fuzzy query counts a transposition as one edit. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** `fuzziness` AUTO: 0 edits up to 2 characters, 1 up to 5, else 2. */
const fuzzyEdits = (fuzziness: unknown, term: string): number => {
  if (fuzziness === undefined || String(fuzziness).toUpperCase().startsWith('AUTO')) return term.length <= 2 ? 0 : term.length <= 5 ? 1 : 2;
  return Math.min(2, Math.floor(Number(fuzziness)));
};

const NUM_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Per-type term building: each returns the set test for one indexed value, or throws as Elasticsearch would. */
function numberOf(ctx: QueryContext, f: FieldInfo, v: unknown, lenient: boolean): number | undefined {
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  if (NUM_RE.test(s)) return Number(s);
  if (lenient) return undefined;
  throw queryShardError(ctx, `failed to create query: For input string: "${s}"`, { type: 'number_format_exception', reason: `For input string: "${s}"` });
}

function dateOf(ctx: QueryContext, v: unknown, roundUp: boolean, lenient: boolean): number | undefined {
  try {
    return parseDateValue(v, ctx.now, roundUp);
  } catch (e) {
    if (lenient) return undefined;
    throw queryShardError(ctx, `failed to parse date field [${String(v)}] with format [strict_date_optional_time||epoch_millis]`);
  }
}

function boolOf(ctx: QueryContext, v: unknown, lenient: boolean): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false' || v === '') return false;
  if (lenient) return undefined;
  throw queryShardError(ctx, `Can't parse boolean value [${String(v)}], expected [true] or [false]`);
}

const NONE: Predicate = () => false;

/**
 * A leaf whose field type is fixed by the mappings, or, for a field the mappings lack (no mappings given, or a
 * sub-field dynamic mapping has not recorded), typed per document as dynamic mapping would type its value.
 */
function leaf(ctx: QueryContext, name: string, build: (f: FieldInfo) => Predicate): Predicate {
  const f = ctx.props ? resolveField(ctx.props, name) : undefined;
  if (f && f.type !== 'unknown') return build(f);
  return (doc) => build(resolveField(undefined, name, doc))(doc);
}

/** term: the exact indexed term. On a text field that is one lower-cased word, so "Web-1" matches nothing there. */
export function termPredicate(ctx: QueryContext, f: FieldInfo, value: unknown, o: { lenient?: boolean; caseInsensitive?: boolean } = {}): Predicate {
  const lenient = !!o.lenient;
  if (NUMERIC.has(f.type)) {
    const n = numberOf(ctx, f, value, lenient);
    if (n === undefined) return NONE;
    return (doc) => sourceValues(doc, f).some((x) => Number(x) === n);
  }
  if (f.type === 'date') {
    const lo = dateOf(ctx, value, false, lenient);
    const hi = dateOf(ctx, value, true, lenient);
    if (lo === undefined || hi === undefined) return NONE;
    return (doc) => sourceValues(doc, f).some((x) => {
      const t = docDate(x);
      return t !== undefined && t >= lo && t <= hi;
    });
  }
  if (f.type === 'boolean') {
    const b = boolOf(ctx, value, lenient);
    if (b === undefined) return NONE;
    return (doc) => sourceValues(doc, f).some((x) => (x === true || x === 'true') === b);
  }
  const want = String(value);
  if (f.type === 'text') {
    const w = o.caseInsensitive ? want.toLowerCase() : want;
    return (doc) => textTokens(doc, f).some((t) => t === w);
  }
  if (f.type === 'object' || f.type === 'unknown') return NONE;
  if (o.caseInsensitive) return (doc) => sourceValues(doc, f).some((x) => String(x).toLowerCase() === want.toLowerCase());
  return (doc) => sourceValues(doc, f).some((x) => String(x) === want);
}

export interface RangeSpec {
  gte?: unknown;
  gt?: unknown;
  lte?: unknown;
  lt?: unknown;
}

/** Bounds compare as numbers on numeric fields, as dates (with date math and round-up) on date fields, else as terms. */
export function rangePredicate(ctx: QueryContext, f: FieldInfo, spec: RangeSpec & Record<string, unknown>, lenient = false): Predicate {
  // The deprecated from/to/include_lower/include_upper form, still accepted by 7.x and 8.x.
  const s: RangeSpec = { gte: spec.gte, gt: spec.gt, lte: spec.lte, lt: spec.lt };
  if (spec.from !== undefined && spec.from !== null) s[spec.include_lower === false ? 'gt' : 'gte'] = spec.from;
  if (spec.to !== undefined && spec.to !== null) s[spec.include_upper === false ? 'lt' : 'lte'] = spec.to;
  type B = { v: number | string; incl: boolean };
  let lo: B | undefined;
  let hi: B | undefined;
  const conv = (v: unknown, roundUp: boolean): number | string | undefined => {
    if (NUMERIC.has(f.type)) return numberOf(ctx, f, v, lenient);
    if (f.type === 'date') return dateOf(ctx, v, roundUp, lenient);
    return String(v);
  };
  for (const [k, incl, isLo, roundUp] of [['gte', true, true, false], ['gt', false, true, true], ['lte', true, false, true], ['lt', false, false, false]] as const) {
    const raw = s[k];
    if (raw === undefined || raw === null) continue;
    const v = conv(raw, roundUp);
    if (v === undefined) return NONE;
    if (isLo) lo = { v, incl };
    else hi = { v, incl };
  }
  const ok = (x: number | string) =>
    (!lo || (lo.incl ? x >= lo.v : x > lo.v)) && (!hi || (hi.incl ? x <= hi.v : x < hi.v));
  if (NUMERIC.has(f.type)) return (doc) => sourceValues(doc, f).some((x) => typeof x === 'number' || NUM_RE.test(String(x)) ? ok(Number(x)) : false);
  if (f.type === 'date') return (doc) => sourceValues(doc, f).some((x) => {
    const t = docDate(x);
    return t !== undefined && ok(t);
  });
  if (f.type === 'text') return (doc) => textTokens(doc, f).some(ok);
  if (f.type === 'boolean' || f.type === 'object' || f.type === 'unknown') return NONE;
  return (doc) => sourceValues(doc, f).some((x) => ok(String(x)));
}

/** wildcard/prefix/regexp/fuzzy only exist for string fields; elsewhere Elasticsearch refuses the query. */
function stringOnly(ctx: QueryContext, f: FieldInfo, kind: string, lenient: boolean): boolean {
  if (f.type === 'text' || f.type === 'keyword' || f.type === 'wildcard' || f.type === 'constant_keyword') return true;
  if (lenient || f.type === 'unknown') return false;
  throw queryShardError(ctx, `Can only use ${kind} queries on keyword and text fields - not on [${f.name}] which is of type [${f.type}]`);
}

export function patternPredicate(ctx: QueryContext, f: FieldInfo, kind: 'wildcard' | 'prefix' | 'regexp', pattern: string, o: { lenient?: boolean; caseInsensitive?: boolean } = {}): Predicate {
  if (!stringOnly(ctx, f, kind, !!o.lenient)) return NONE;
  let re: RegExp;
  if (kind === 'regexp') {
    // Lucene's regexp dialect is close to JavaScript's for what rules use (classes, alternation, repetition);
    // its extras (`<1-10>` intervals, `&`, `~`, `@`) are not supported. Always anchored, as in Lucene.
    try {
      re = new RegExp(`^(?:${pattern})$`, o.caseInsensitive ? 'iu' : 'u');
    } catch (e) {
      throw queryShardError(ctx, `failed to create query: ${(e as Error).message}`);
    }
  } else {
    re = wildcardRegExp(kind === 'prefix' ? pattern.replace(/[*?\\]/g, '\\$&') + '*' : pattern, o.caseInsensitive);
  }
  if (f.type === 'text') return (doc) => textTokens(doc, f).some((t) => re.test(t));
  return (doc) => sourceValues(doc, f).some((x) => re.test(String(x)));
}

export function fuzzyPredicate(ctx: QueryContext, f: FieldInfo, term: string, fuzziness: unknown, lenient = false): Predicate {
  if (!stringOnly(ctx, f, 'fuzzy', lenient)) return NONE;
  const max = fuzzyEdits(fuzziness, term);
  if (f.type === 'text') return (doc) => textTokens(doc, f).some((t) => editDistance(t, term, max) <= max);
  return (doc) => sourceValues(doc, f).some((x) => editDistance(String(x), term, max) <= max);
}

/** match: text fields analyse the query and combine its words with `operator`; other types take it as one term. */
export function matchPredicate(ctx: QueryContext, f: FieldInfo, query: unknown, o: { operator?: string; lenient?: boolean; fuzziness?: unknown } = {}): Predicate {
  if (f.type !== 'text') return termPredicate(ctx, f, query, o);
  const words = analyze(query);
  if (!words.length) return NONE; // zero_terms_query: none
  const and = String(o.operator ?? 'or').toLowerCase() === 'and';
  const test = (tokens: string[], w: string) =>
    o.fuzziness !== undefined ? tokens.some((t) => editDistance(t, w, fuzzyEdits(o.fuzziness, w)) <= fuzzyEdits(o.fuzziness, w)) : tokens.includes(w);
  return (doc) => {
    const tokens = textTokens(doc, f);
    return and ? words.every((w) => test(tokens, w)) : words.some((w) => test(tokens, w));
  };
}

/**
 * match_phrase: the analysed words at consecutive positions of one value. With `slop`, each word may sit up to
 * `slop` positions from where an exact phrase would put it (an approximation of Lucene's sloppy phrase scorer,
 * which measures total moves and allows reordering).
 */
export function phrasePredicate(ctx: QueryContext, f: FieldInfo, query: unknown, o: { slop?: number; lenient?: boolean } = {}): Predicate {
  if (f.type !== 'text') return termPredicate(ctx, f, query, o);
  const words = analyze(query);
  if (!words.length) return NONE;
  const slop = Number(o.slop ?? 0);
  return (doc) =>
    sourceValues(doc, f).some((v) => {
      const toks = analyze(v);
      for (let i = 0; i < toks.length; i++) {
        if (toks[i] !== words[0]) continue;
        let pos = i;
        let ok = true;
        for (let w = 1; w < words.length && ok; w++) {
          const found = toks.findIndex((t, j) => t === words[w] && j > pos && j <= pos + 1 + slop);
          if (found < 0) ok = false;
          else pos = found;
        }
        if (ok) return true;
      }
      return false;
    });
}

export function existsPredicate(ctx: QueryContext, name: string): Predicate {
  // An object field exists when any of its sub-fields does: getField returns the object itself.
  return leaf(ctx, name, (f) => (doc) => sourceValues(doc, f).length > 0);
}

/** Compiles a query DSL object once (per index), so mapping-dependent errors surface even on an empty index. */
export function compileQuery(query: Query | undefined, ctx: QueryContext): Predicate {
  if (!query || !Object.keys(query).length) return () => true;
  const [type, body] = single(query, 'query');
  const b = (body ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return NONE;
    case 'term': {
      const [f, v] = single(body, 'term');
      const o = { caseInsensitive: opt(v, 'case_insensitive') === true };
      return leaf(ctx, f, (fi) => termPredicate(ctx, fi, inner(v, 'value'), o));
    }
    case 'terms': {
      const [f, list] = Object.entries(b).filter(([k]) => k !== 'boost' && k !== '_name')[0] ?? [];
      if (!Array.isArray(list)) throw parsingError(`[terms] query does not support [${f}]`);
      return leaf(ctx, f, (fi) => {
        const ps = list.map((w) => termPredicate(ctx, fi, w));
        return (doc) => ps.some((p) => p(doc));
      });
    }
    case 'match':
    case 'match_phrase': {
      const [f, v] = single(body, type);
      const o = { operator: opt(v, 'operator') as string | undefined, lenient: opt(v, 'lenient') === true, slop: opt(v, 'slop') as number | undefined, fuzziness: opt(v, 'fuzziness') };
      const q = inner(v, 'query');
      return leaf(ctx, f, (fi) => (type === 'match' ? matchPredicate(ctx, fi, q, o) : phrasePredicate(ctx, fi, q, o)));
    }
    case 'exists':
      return existsPredicate(ctx, String(b.field));
    case 'ids': {
      const ids = new Set(((b.values as unknown[]) ?? []).map(String));
      return (doc) => ids.has(String(doc._id));
    }
    case 'prefix':
    case 'wildcard':
    case 'regexp': {
      const [f, v] = single(body, type);
      const raw = String(inner(v, type === 'wildcard' ? (opt(v, 'wildcard') !== undefined ? 'wildcard' : 'value') : 'value'));
      const o = { caseInsensitive: opt(v, 'case_insensitive') === true };
      return leaf(ctx, f, (fi) => patternPredicate(ctx, fi, type, raw, o));
    }
    case 'fuzzy': {
      const [f, v] = single(body, 'fuzzy');
      return leaf(ctx, f, (fi) => fuzzyPredicate(ctx, fi, String(inner(v, 'value')), opt(v, 'fuzziness')));
    }
    case 'range': {
      const [f, spec] = single(body, 'range');
      const r = spec as RangeSpec & Record<string, unknown>;
      return leaf(ctx, f, (fi) => rangePredicate(ctx, fi, r, r.lenient === true));
    }
    case 'bool': {
      const must = [...asList(b.must), ...asList(b.filter)].map((q) => compileQuery(q, ctx));
      const should = asList(b.should).map((q) => compileQuery(q, ctx));
      const mustNot = asList(b.must_not).map((q) => compileQuery(q, ctx));
      const msm = b.minimum_should_match;
      const minShould =
        msm !== undefined
          ? /%$/.test(String(msm))
            ? Math.floor((should.length * Number(String(msm).slice(0, -1))) / 100)
            : Number(msm) < 0
              ? should.length + Number(msm)
              : Number(msm)
          : must.length ? 0 : should.length ? 1 : 0;
      return (doc) => {
        if (!must.every((p) => p(doc))) return false;
        if (mustNot.some((p) => p(doc))) return false;
        if (minShould <= 0) return true;
        let n = 0;
        for (const p of should) if (p(doc) && ++n >= minShould) return true;
        return false;
      };
    }
    case 'dis_max': {
      const qs = asList(b.queries).map((q) => compileQuery(q, ctx));
      return (doc) => qs.some((p) => p(doc));
    }
    case 'constant_score':
      return compileQuery(b.filter as Query, ctx);
    case 'query_string':
      if (!ctx.props) return (doc) => compileQuery(query, { ...ctx, props: mappingOf(doc) })(doc);
      return compileQuery(queryStringToDsl(b, ctx), ctx);
    case 'simple_query_string':
      if (!ctx.props) return (doc) => compileQuery(query, { ...ctx, props: mappingOf(doc) })(doc);
      // Not modelled separately: its syntax (+ | - " * ~ ( )) is read with the Lucene parser, which gives the
      // same result for plain terms, phrases, prefixes and parentheses but not for `|`, `+` as AND, or `flags`.
      return compileQuery(queryStringToDsl({ ...b, lenient: true }, ctx), ctx);
    default:
      throw parsingError(`unknown query [${type}]`);
  }
}

/** Without index mappings, `*` in a query_string expands over the fields dynamic mapping gives this document. */
function mappingOf(doc: Doc): Props {
  const props: Props = {};
  inferMappings(props, doc);
  return props;
}

/** Evaluates a query DSL object against one document source (compiles it each call; prefer compileQuery in loops). */
export function matches(query: Query | undefined, doc: Doc, now: number, ctx: Omit<QueryContext, 'now'> = {}): boolean {
  return compileQuery(query, { now, ...ctx })(doc);
}
