import { parsingError } from './errors';
import { getField } from './settings';
import { parseDateMath } from './time-units';

type Doc = Record<string, unknown>;
type Query = Record<string, unknown>;

/** Queries match `field.keyword` and `field` alike: the simulator keeps raw values, not analysed text. */
const fieldName = (f: string) => (f.endsWith('.keyword') ? f.slice(0, -'.keyword'.length) : f);

const values = (doc: Doc, field: string): unknown[] => {
  const v = getField(doc, fieldName(field));
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
};

const eq = (a: unknown, b: unknown) => a === b || String(a) === String(b);

function toComparable(v: unknown, now: number, roundUp: boolean): number | string {
  if (typeof v === 'number') return v;
  const s = String(v);
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (/^now/.test(s) || /^\d{4}-\d{2}-\d{2}/.test(s)) return parseDateMath(s, now, roundUp);
  return s;
}

function inRange(v: unknown, spec: Record<string, unknown>, now: number): boolean {
  const val = toComparable(v, now, false);
  const cmp = (bound: unknown, roundUp: boolean) => {
    const b = toComparable(bound, now, roundUp);
    return typeof val === typeof b ? (val < b ? -1 : val > b ? 1 : 0) : String(val).localeCompare(String(b));
  };
  if (spec.gte !== undefined && cmp(spec.gte, false) < 0) return false;
  if (spec.gt !== undefined && cmp(spec.gt, true) <= 0) return false;
  if (spec.lte !== undefined && cmp(spec.lte, true) > 0) return false;
  if (spec.lt !== undefined && cmp(spec.lt, false) >= 0) return false;
  return true;
}

const single = (q: unknown, name: string): [string, unknown] => {
  const entries = Object.entries((q ?? {}) as Record<string, unknown>);
  if (entries.length !== 1) throw parsingError(`[${name}] query doesn't support multiple fields, found [${entries.map((e) => e[0]).join('] and [')}]`);
  return entries[0];
};

const asList = (v: unknown): Query[] => (v === undefined ? [] : Array.isArray(v) ? (v as Query[]) : [v as Query]);

/** Evaluates a query DSL object against one document source. */
export function matches(query: Query | undefined, doc: Doc, now: number): boolean {
  if (!query || !Object.keys(query).length) return true;
  const [type, body] = single(query, 'query');
  switch (type) {
    case 'match_all':
      return true;
    case 'match_none':
      return false;
    case 'term': {
      const [f, v] = single(body, 'term');
      const want = v && typeof v === 'object' ? (v as { value: unknown }).value : v;
      return values(doc, f).some((x) => eq(x, want));
    }
    case 'terms': {
      const [f, list] = Object.entries(body as Record<string, unknown>).filter(([k]) => k !== 'boost')[0];
      return values(doc, f).some((x) => (list as unknown[]).some((w) => eq(x, w)));
    }
    case 'match':
    case 'match_phrase': {
      const [f, v] = single(body, type);
      const want = String(v && typeof v === 'object' ? (v as { query: unknown }).query : v).toLowerCase();
      return values(doc, f).some((x) => String(x).toLowerCase() === want || String(x).toLowerCase().split(/\W+/).includes(want));
    }
    case 'exists':
      return values(doc, String((body as { field: string }).field)).length > 0;
    case 'ids':
      return ((body as { values: string[] }).values ?? []).includes(String(doc._id));
    case 'prefix': {
      const [f, v] = single(body, 'prefix');
      const want = String(v && typeof v === 'object' ? (v as { value: unknown }).value : v);
      return values(doc, f).some((x) => String(x).startsWith(want));
    }
    case 'wildcard': {
      const [f, v] = single(body, 'wildcard');
      const pattern = String(v && typeof v === 'object' ? (v as { value: unknown }).value : v);
      const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      return values(doc, f).some((x) => re.test(String(x)));
    }
    case 'range': {
      const [f, spec] = single(body, 'range');
      return values(doc, f).some((x) => inRange(x, spec as Record<string, unknown>, now));
    }
    case 'bool': {
      const b = body as Record<string, unknown>;
      const must = [...asList(b.must), ...asList(b.filter)];
      const should = asList(b.should);
      if (!must.every((q) => matches(q, doc, now))) return false;
      if (asList(b.must_not).some((q) => matches(q, doc, now))) return false;
      const minShould = b.minimum_should_match !== undefined ? Number(b.minimum_should_match) : must.length ? 0 : should.length ? 1 : 0;
      return should.filter((q) => matches(q, doc, now)).length >= minShould;
    }
    case 'query_string':
    case 'simple_query_string':
      return queryString(String((body as { query: string }).query), (body as { default_field?: string }).default_field, doc, now);
    default:
      throw parsingError(`unknown query [${type}]`);
  }
}

/** Lucene query syntax, the part alert rules use: field:value, ranges, wildcards, AND/OR/NOT, parentheses. */
function queryString(q: string, defaultField: string | undefined, doc: Doc, now: number): boolean {
  const tokens = q.match(/\(|\)|"[^"]*"|[^\s()"]+:\[[^\]]*\]|[^\s()"]+:\{[^}]*\}|[^\s()]+:"[^"]*"|[^\s()]+/g) ?? [];
  let i = 0;
  const term = (tok: string): boolean => {
    const m = /^([^:]+):(.*)$/.exec(tok);
    const field = m ? m[1].replace(/\\/g, '') : defaultField;
    let value = m ? m[2] : tok;
    if (value.startsWith('"')) value = value.slice(1, -1);
    const range = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/.exec(value);
    const test = (x: unknown) => {
      if (range) {
        const spec: Record<string, unknown> = {};
        if (range[2] !== '*') spec[range[1] === '[' ? 'gte' : 'gt'] = range[2];
        if (range[3] !== '*') spec[range[4] === ']' ? 'lte' : 'lt'] = range[3];
        return inRange(x, spec, now);
      }
      if (value === '*') return true;
      if (value.includes('*')) return new RegExp(`^${value.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(String(x));
      return eq(x, value) || String(x).toLowerCase() === value.toLowerCase();
    };
    if (!field || field === '*') return Object.values(doc).some((v) => (Array.isArray(v) ? v : [v]).some(test));
    return values(doc, field).some(test);
  };
  const primary = (): boolean => {
    const tok = tokens[i++];
    if (tok === undefined) return true;
    if (tok === 'NOT' || tok === '!') return !primary();
    if (tok.startsWith('-') && tok.length > 1) return !term(tok.slice(1));
    if (tok === '(') {
      const v = or();
      i++;
      return v;
    }
    return term(tok);
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[i] === 'AND' || tokens[i] === '&&') {
      i++;
      v = primary() && v;
    }
    return v;
  };
  // Adjacent clauses without an operator combine with OR, Lucene's default_operator.
  const or = (): boolean => {
    let v = and();
    while (i < tokens.length && tokens[i] !== ')') {
      if (tokens[i] === 'OR' || tokens[i] === '||') i++;
      v = and() || v;
    }
    return v;
  };
  return tokens.length ? or() : true;
}
