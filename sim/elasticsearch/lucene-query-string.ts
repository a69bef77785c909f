import { listFields, resolveField, type FieldInfo } from './field-types';
import { queryShardError, type QueryContext } from './query';

/**
 * `query_string` as Elasticsearch parses it: Lucene's classic QueryParser grammar (QueryParser.jj) with
 * Elasticsearch's extensions (QueryStringQueryParser): `_exists_:f`, `f:>=v` style ranges, `f:*` as exists,
 * field patterns (`host*:x`, `*:x`), and a query of only negative clauses matching everything else.
 *
 * The result is query DSL (bool/match/match_phrase/range/wildcard/prefix/regexp/fuzzy/exists), which the
 * simulator then evaluates with the index's mappings, as Elasticsearch builds Lucene queries per field type.
 *
 * Whitespace between tokens is skipped by the lexer, so `Status: [500 TO 599]` (space after the colon) is the
 * same query as `Status:[500 TO 599]`. Boolean operators follow Lucene's clause logic (addClause), not
 * precedence: `a OR b AND c` means `a +b +c`.
 *
 * Not supported: boosts (parsed, ignored: scores are not simulated), `index.query.default_field` (the default is
 * always `*`), `time_zone`, `quote_field_suffix`, `minimum_should_match`, synonyms, `analyze_wildcard`.
 */

type Query = Record<string, unknown>;

type Kind =
  | 'AND' | 'OR' | 'NOT' | 'PLUS' | 'MINUS' | 'BAREOPER' | 'LPAREN' | 'RPAREN' | 'COLON' | 'STAR' | 'CARAT'
  | 'QUOTED' | 'TERM' | 'FUZZY_SLOP' | 'PREFIXTERM' | 'WILDTERM' | 'REGEXPTERM' | 'RANGEIN_START' | 'RANGEEX_START'
  | 'NUMBER' | 'RANGE_TO' | 'RANGEIN_END' | 'RANGEEX_END' | 'RANGE_QUOTED' | 'RANGE_GOOP' | 'EOF';

interface Token {
  kind: Kind;
  image: string;
  col: number;
}

class QueryParseError extends Error {}

const WS = new Set([' ', '\t', '\n', '\r', '\u3000']);
const NOT_START = new Set([...WS, '+', '-', '!', '(', ')', ':', '^', '[', ']', '"', '{', '}', '~', '*', '?', '\\', '/']);

/** Length of an escaped char or term-start char at i (0 if none). */
function startChar(s: string, i: number): number {
  if (i >= s.length) return 0;
  if (s[i] === '\\') return i + 1 < s.length ? 2 : 0;
  return NOT_START.has(s[i]) ? 0 : 1;
}
function termChar(s: string, i: number): number {
  if (i < s.length && (s[i] === '-' || s[i] === '+')) return 1;
  return startChar(s, i);
}

/** The lexer: JavaCC picks the longest match, ties going to the token defined first (order of `cands`). */
export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let state: 'DEFAULT' | 'Range' | 'Boost' = 'DEFAULT';
  let i = 0;
  for (;;) {
    if (state !== 'Boost') while (i < s.length && WS.has(s[i])) i++;
    if (i >= s.length) {
      out.push({ kind: 'EOF', image: '', col: i + 1 });
      return out;
    }
    const cands: Array<[Kind, number]> = [];
    if (state === 'Boost') {
      const m = /^\d+(\.\d+)?/.exec(s.slice(i));
      if (m) cands.push(['NUMBER', m[0].length]);
    } else if (state === 'Range') {
      if (s.startsWith('TO', i)) cands.push(['RANGE_TO', 2]);
      if (s[i] === ']') cands.push(['RANGEIN_END', 1]);
      if (s[i] === '}') cands.push(['RANGEEX_END', 1]);
      if (s[i] === '"') {
        let j = i + 1;
        while (j < s.length && s[j] !== '"') j += s[j] === '\\' && s[j + 1] === '"' ? 2 : 1;
        if (j < s.length && j > i + 1) cands.push(['RANGE_QUOTED', j + 1 - i]);
      }
      let j = i;
      while (j < s.length && s[j] !== ' ' && s[j] !== ']' && s[j] !== '}') j++;
      if (j > i) cands.push(['RANGE_GOOP', j - i]);
    } else {
      if (s.startsWith('AND', i)) cands.push(['AND', 3]);
      else if (s.startsWith('&&', i)) cands.push(['AND', 2]);
      if (s.startsWith('OR', i)) cands.push(['OR', 2]);
      else if (s.startsWith('||', i)) cands.push(['OR', 2]);
      if (s.startsWith('NOT', i)) cands.push(['NOT', 3]);
      else if (s[i] === '!') cands.push(['NOT', 1]);
      if (s[i] === '+') cands.push(['PLUS', 1]);
      if (s[i] === '-') cands.push(['MINUS', 1]);
      if ('+-!'.includes(s[i]) && WS.has(s[i + 1] ?? '')) cands.push(['BAREOPER', 2]);
      const single: Record<string, Kind> = { '(': 'LPAREN', ')': 'RPAREN', ':': 'COLON', '*': 'STAR', '^': 'CARAT', '[': 'RANGEIN_START', '{': 'RANGEEX_START' };
      if (s[i] === '"') {
        let j = i + 1;
        while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
        if (j < s.length) cands.push(['QUOTED', j + 1 - i]);
      }
      // TERM, PREFIXTERM
      let termLen = 0;
      const st = startChar(s, i);
      if (st) {
        let j = i + st;
        for (let c = termChar(s, j); c; c = termChar(s, j)) j += c;
        termLen = j - i;
        cands.push(['TERM', termLen]);
      }
      if (s[i] === '~') {
        const m = /^~(\d+(\.\d+)?)?/.exec(s.slice(i))!;
        let j = i + m[0].length;
        for (let c = termChar(s, j); c; c = termChar(s, j)) j += c;
        cands.push(['FUZZY_SLOP', j - i]);
      }
      if (s[i] === '*') cands.push(['PREFIXTERM', 1]);
      else if (termLen && s[i + termLen] === '*') cands.push(['PREFIXTERM', termLen + 1]);
      // WILDTERM: (start | * | ?) (termchar | * | ?)*
      {
        let j = i;
        const first = s[j] === '*' || s[j] === '?' ? 1 : startChar(s, j);
        if (first) {
          j += first;
          for (;;) {
            const c = s[j] === '*' || s[j] === '?' ? 1 : termChar(s, j);
            if (!c) break;
            j += c;
          }
          cands.push(['WILDTERM', j - i]);
        }
      }
      if (s[i] === '/') {
        let j = i + 1;
        while (j < s.length && s[j] !== '/') j += s[j] === '\\' && s[j + 1] === '/' ? 2 : 1;
        if (j < s.length) cands.push(['REGEXPTERM', j + 1 - i]);
      }
      if (single[s[i]]) cands.splice(cands.length, 0, [single[s[i]], 1]);
    }
    if (!cands.length) throw new QueryParseError(`Lexical error at line 1, column ${i + 1}.  Encountered: "${s[i]}"`);
    const order: Kind[] = ['AND', 'OR', 'NOT', 'PLUS', 'MINUS', 'BAREOPER', 'LPAREN', 'RPAREN', 'COLON', 'STAR', 'CARAT', 'QUOTED', 'TERM', 'FUZZY_SLOP', 'PREFIXTERM', 'WILDTERM', 'REGEXPTERM', 'RANGEIN_START', 'RANGEEX_START', 'NUMBER', 'RANGE_TO', 'RANGEIN_END', 'RANGEEX_END', 'RANGE_QUOTED', 'RANGE_GOOP'];
    cands.sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]));
    const [kind, len] = cands[0];
    out.push({ kind, image: s.slice(i, i + len), col: i + 1 });
    i += len;
    if (kind === 'RANGEIN_START' || kind === 'RANGEEX_START') state = 'Range';
    else if (kind === 'RANGEIN_END' || kind === 'RANGEEX_END' || kind === 'NUMBER') state = 'DEFAULT';
    else if (kind === 'CARAT') state = 'Boost';
  }
}

export const discardEscapes = (s: string) => s.replace(/\\([\s\S])/g, '$1');

/** One parsed clause before field expansion: what the query text asked for. */
export type Node =
  | { t: 'bool'; clauses: Array<{ occur: 'must' | 'should' | 'must_not'; node: Node }> }
  | { t: 'term'; field?: string; text: string; quoted: boolean; slop?: number; fuzzy?: string }
  | { t: 'wild'; field?: string; kind: 'wildcard' | 'prefix' | 'regexp'; pattern: string }
  | { t: 'range'; field?: string; lo?: string; hi?: string; incLo: boolean; incHi: boolean };

const CONJ_NONE = 0, CONJ_AND = 1, CONJ_OR = 2;
const MOD_NONE = 0, MOD_NOT = 10, MOD_REQ = 11;

/** Lucene's recursive-descent parser (Query / Clause / Term), with its addClause occur rules. */
export function parseLucene(q: string, defaultOperator: 'or' | 'and'): Node | null {
  const toks = tokenize(q);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const fail = (t: Token, expecting: string): never => {
    throw new QueryParseError(`Encountered "${t.kind === 'EOF' ? '<EOF>' : t.image}" at line 1, column ${t.col}.\nWas expecting ${expecting}`);
  };
  const CLAUSE_START: Kind[] = ['NOT', 'PLUS', 'MINUS', 'BAREOPER', 'LPAREN', 'STAR', 'QUOTED', 'TERM', 'PREFIXTERM', 'WILDTERM', 'REGEXPTERM', 'RANGEIN_START', 'RANGEEX_START', 'NUMBER'];

  type Clause = { occur: 'must' | 'should' | 'must_not'; node: Node };
  const addClause = (clauses: Clause[], conj: number, mods: number, node: Node | null) => {
    if (clauses.length && conj === CONJ_AND) {
      const c = clauses[clauses.length - 1];
      if (c.occur !== 'must_not') c.occur = 'must';
    }
    if (clauses.length && defaultOperator === 'and' && conj === CONJ_OR) {
      const c = clauses[clauses.length - 1];
      if (c.occur !== 'must_not') c.occur = 'should';
    }
    if (!node) return;
    let required: boolean;
    const prohibited = mods === MOD_NOT;
    if (defaultOperator === 'or') required = mods === MOD_REQ || (conj === CONJ_AND && !prohibited);
    else required = !prohibited && conj !== CONJ_OR;
    clauses.push({ occur: prohibited ? 'must_not' : required ? 'must' : 'should', node });
  };

  const modifiers = (): number => {
    const t = peek().kind;
    if (t === 'PLUS') return next(), MOD_REQ;
    if (t === 'MINUS' || t === 'NOT') return next(), MOD_NOT;
    return MOD_NONE;
  };

  const query = (field: string | undefined): Node | null => {
    const clauses: Clause[] = [];
    let first: Node | null = null;
    const mods = modifiers();
    const q0 = clause(field);
    addClause(clauses, CONJ_NONE, mods, q0);
    if (mods === MOD_NONE) first = q0;
    for (;;) {
      const k = peek().kind;
      if (k !== 'AND' && k !== 'OR' && !CLAUSE_START.includes(k)) break;
      const conj = k === 'AND' ? (next(), CONJ_AND) : k === 'OR' ? (next(), CONJ_OR) : CONJ_NONE;
      const m = modifiers();
      addClause(clauses, conj, m, clause(field));
    }
    if (clauses.length === 1 && first) return first;
    return clauses.length ? { t: 'bool', clauses } : null;
  };

  const boost = () => {
    if (peek().kind === 'CARAT') {
      next();
      if (next().kind !== 'NUMBER') fail(toks[p - 1], '<NUMBER>');
    }
  };

  const clause = (field: string | undefined): Node | null => {
    const a = toks[p];
    const b = toks[p + 1];
    if ((a.kind === 'TERM' || a.kind === 'STAR') && b?.kind === 'COLON') {
      field = a.kind === 'STAR' ? '*' : discardEscapes(a.image);
      p += 2;
    }
    if (peek().kind === 'LPAREN') {
      next();
      const q = query(field);
      if (next().kind !== 'RPAREN') fail(toks[p - 1], '")"');
      boost();
      return q;
    }
    return term(field);
  };

  const term = (field: string | undefined): Node | null => {
    const t = next();
    switch (t.kind) {
      case 'TERM':
      case 'STAR':
      case 'PREFIXTERM':
      case 'WILDTERM':
      case 'REGEXPTERM':
      case 'NUMBER':
      case 'BAREOPER': {
        let fuzzy: string | undefined;
        if (peek().kind === 'FUZZY_SLOP') fuzzy = next().image;
        if (peek().kind === 'CARAT') {
          boost();
          if (peek().kind === 'FUZZY_SLOP') fuzzy = next().image;
        }
        if (t.kind === 'STAR') return { t: 'wild', field, kind: 'wildcard', pattern: '*' };
        if (t.kind === 'PREFIXTERM') return { t: 'wild', field, kind: 'prefix', pattern: discardEscapes(t.image.slice(0, -1)) };
        if (t.kind === 'WILDTERM') return { t: 'wild', field, kind: 'wildcard', pattern: t.image };
        if (t.kind === 'REGEXPTERM') return { t: 'wild', field, kind: 'regexp', pattern: t.image.slice(1, -1) };
        const text = discardEscapes(t.kind === 'BAREOPER' ? t.image.trim() : t.image);
        return { t: 'term', field, text, quoted: false, fuzzy: fuzzy === undefined ? undefined : fuzzy.slice(1) };
      }
      case 'RANGEIN_START':
      case 'RANGEEX_START': {
        const goop = (): string => {
          const g = next();
          if (g.kind === 'RANGE_GOOP' || g.kind === 'RANGE_TO') return g.image;
          if (g.kind === 'RANGE_QUOTED') return g.image.slice(1, -1).replace(/\\"/g, '"');
          return fail(g, '"TO" ... <RANGE_QUOTED> ... <RANGE_GOOP> ...');
        };
        const lo = goop();
        if (peek().kind === 'RANGE_TO') next();
        const hi = goop();
        const end = next();
        if (end.kind !== 'RANGEIN_END' && end.kind !== 'RANGEEX_END') fail(end, '"]" ... "}" ...');
        boost();
        return { t: 'range', field, lo: lo === '*' ? undefined : lo, hi: hi === '*' ? undefined : hi, incLo: t.kind === 'RANGEIN_START', incHi: end.kind === 'RANGEIN_END' };
      }
      case 'QUOTED': {
        let slop: number | undefined;
        if (peek().kind === 'FUZZY_SLOP') slop = Number(next().image.slice(1)) || 0;
        boost();
        return { t: 'term', field, text: discardEscapes(t.image.slice(1, -1)), quoted: true, slop };
      }
      default:
        return fail(t, '<TERM> ... <QUOTED> ... <RANGE_START> ... "(" ...');
    }
  };

  const result = query(undefined);
  if (peek().kind !== 'EOF') fail(peek(), '<EOF>');
  return result;
}

export interface QueryStringParams {
  query?: unknown;
  default_field?: unknown;
  fields?: unknown;
  default_operator?: unknown;
  lenient?: unknown;
  allow_leading_wildcard?: unknown;
  phrase_slop?: unknown;
  fuzziness?: unknown;
}

/** Builds the DSL for one parsed node against the index's fields. */
export function queryStringToDsl(params: QueryStringParams, ctx: QueryContext): Query {
  const q = String(params.query ?? '');
  const op = String(params.default_operator ?? 'or').toLowerCase() === 'and' ? 'and' : 'or';
  let node: Node | null;
  try {
    node = parseLucene(q, op);
  } catch (e) {
    if (!(e instanceof QueryParseError)) throw e;
    throw queryShardError(ctx, `Failed to parse query [${q}]`, { type: 'parse_exception', reason: `Cannot parse '${q}': ${e.message}` });
  }
  const defaults: string[] =
    typeof params.default_field === 'string'
      ? [params.default_field]
      : Array.isArray(params.fields) && params.fields.length
        ? (params.fields as string[]).map((f) => f.replace(/\^[\d.]+$/, ''))
        : ['*'];
  // Elasticsearch turns lenient on by default when the query runs over all fields ("*").
  const lenientAll = params.lenient === undefined ? defaults.some((d) => d.includes('*')) : params.lenient === true;
  const lenientExplicit = params.lenient === true;
  const allowLeading = params.allow_leading_wildcard !== false;
  const mapped = listFields(ctx.props).filter((f) => f.type !== 'object' && f.type !== 'nested');

  const expand = (field: string | undefined): { fields: FieldInfo[] | string[]; lenient: boolean; all: boolean } => {
    const names = field === undefined ? defaults : [field];
    const out: string[] = [];
    let pattern = false;
    for (const n of names) {
      if (n.includes('*')) {
        pattern = true;
        const re = new RegExp(`^${n.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
        out.push(...mapped.filter((f) => re.test(f.name)).map((f) => f.name));
      } else out.push(n);
    }
    return { fields: [...new Set(out)], lenient: field === undefined ? lenientAll : pattern || lenientExplicit, all: names.includes('*') };
  };

  const any = (qs: Query[]): Query => (qs.length === 1 ? qs[0] : qs.length ? { dis_max: { queries: qs } } : { match_none: {} });
  const typeOf = (name: string) => (ctx.props ? resolveField(ctx.props, name).type : 'unknown');

  const build = (n: Node): Query | null => {
    if (n.t === 'bool') {
      const bool: Record<string, Query[]> = { must: [], should: [], must_not: [] };
      for (const c of n.clauses) {
        const qd = build(c.node);
        if (qd) bool[c.occur].push(qd);
      }
      if (!bool.must.length && !bool.should.length && !bool.must_not.length) return null;
      return { bool };
    }
    if (n.field === '_exists_' && n.t === 'term') return { exists: { field: n.text } };
    const { fields, lenient, all } = expand(n.field);
    const names = fields as string[];
    if (n.t === 'wild') {
      if (n.pattern === '*' && n.kind === 'wildcard') return all ? { match_all: {} } : any(names.map((f) => ({ exists: { field: f } })));
      if (!allowLeading && n.kind !== 'regexp' && /^[*?]/.test(n.pattern))
        throw queryShardError(ctx, `Failed to parse query [${q}]`, { type: 'parse_exception', reason: `Cannot parse '${q}': '*' or '?' not allowed as first character in WildcardQuery` });
      return any(names.flatMap((f) => {
        const type = typeOf(f);
        if (lenient && type !== 'text' && type !== 'keyword' && type !== 'unknown') return [];
        // A text field's normalizer (lower-casing) applies to wildcard, prefix and regexp terms; keyword has none.
        const pattern = type === 'text' ? n.pattern.toLowerCase() : n.pattern;
        return [{ [n.kind]: { [f]: { value: pattern } } }];
      }));
    }
    if (n.t === 'range') {
      return any(names.map((f) => {
        const text = typeOf(f) === 'text';
        const norm = (v: string | undefined) => (v === undefined ? undefined : text ? v.toLowerCase() : v);
        const spec: Record<string, unknown> = {};
        if (n.lo !== undefined) spec[n.incLo ? 'gte' : 'gt'] = norm(n.lo);
        if (n.hi !== undefined) spec[n.incHi ? 'lte' : 'lt'] = norm(n.hi);
        return { range: { [f]: { ...spec, ...(lenient ? { lenient: true } : {}) } } };
      }));
    }
    // Elasticsearch's extension: an unquoted `>=v`, `>v`, `<=v`, `<v` is a one-sided range.
    if (!n.quoted && n.text.length > 1 && (n.text[0] === '>' || n.text[0] === '<')) {
      const orEq = n.text.length > 2 && n.text[1] === '=';
      const v = n.text.slice(orEq ? 2 : 1);
      const key = n.text[0] === '>' ? (orEq ? 'gte' : 'gt') : orEq ? 'lte' : 'lt';
      return any(names.map((f) => ({ range: { [f]: { [key]: v, ...(lenient ? { lenient: true } : {}) } } })));
    }
    if (n.fuzzy !== undefined && !n.quoted) {
      const fuzziness = n.fuzzy === '' ? (params.fuzziness ?? 'AUTO') : n.fuzzy;
      return any(names.flatMap((f) => {
        const type = typeOf(f);
        if (lenient && type !== 'text' && type !== 'keyword' && type !== 'unknown') return [];
        return [{ fuzzy: { [f]: { value: type === 'text' ? n.text.toLowerCase() : n.text, fuzziness } } }];
      }));
    }
    if (n.quoted) {
      const slop = n.slop ?? Number(params.phrase_slop ?? 0);
      return any(names.map((f) => ({ match_phrase: { [f]: { query: n.text, slop, ...(lenient ? { lenient: true } : {}) } } })));
    }
    return any(names.map((f) => ({ match: { [f]: { query: n.text, operator: op, ...(lenient ? { lenient: true } : {}) } } })));
  };
  // `lenient` on a range is internal to the simulator (the DSL's range has none): the evaluator reads it.
  return (node ? build(node) : null) ?? { match_none: {} };
}
