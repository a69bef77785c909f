/**
 * A Kibana Discover link for an alert: the window it covers and the rule's filter as a Lucene query, so one
 * click shows the very documents the breakdown counted. Kibana keeps Discover's state in rison in the URL hash
 * (`_g` global time, `_a` app state); strings are single-quoted with `'` and `!` escaped by `!`.
 */
import type { RuleConfig } from '../rules';

/** Rison string literal: `'` → `!'`, `!` → `!!`. */
export const risonString = (s: string) => `'${s.replace(/!/g, '!!').replace(/'/g, "!'")}'`;

/**
 * URL-encodes a rison value the way Kibana's own links are (angular's encodeUriQuery): rison's punctuation
 * stays readable, and spaces, `&`, `#`, `|` and `>` are escaped, so the URL survives the hash and a Slack `<url|label>`.
 */
const encodeRison = (r: string) => encodeURIComponent(r).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%40/gi, '@').replace(/%24/g, '$');

/** A Lucene phrase: the value double-quoted, `"` and `\` escaped. */
const phrase = (v: unknown) => `"${String(v).replace(/["\\]/g, '\\$&')}"`;

const one = (o: unknown): [string, unknown] | undefined => {
  if (!o || typeof o !== 'object') return undefined;
  const e = Object.entries(o as Record<string, unknown>);
  return e.length === 1 ? e[0] : undefined;
};

/** One query-DSL clause as Lucene, or undefined when Lucene cannot say it (the link then says so). */
export function luceneOf(clause: unknown): string | undefined {
  const top = one(clause);
  if (!top) return undefined;
  const [kind, body] = top;
  const b = body as Record<string, unknown>;
  // elastalert's ES5 unwrapping (`- query: {query_string: …}`), as ruleQuery sends it.
  if (kind === 'query') return luceneOf(body);
  if (kind === 'query_string') return typeof b?.query === 'string' ? `(${b.query})` : undefined;
  if (kind === 'exists') return typeof b?.field === 'string' ? `_exists_:${b.field}` : undefined;
  if (kind === 'bool') {
    const list = (k: string) => (b[k] === undefined ? [] : Array.isArray(b[k]) ? (b[k] as unknown[]) : [b[k]]);
    const all = [...list('must'), ...list('filter')].map(luceneOf);
    const not = list('must_not').map(luceneOf);
    const any = list('should').map(luceneOf);
    if ([...all, ...not, ...any].some((x) => x === undefined)) return undefined;
    const parts = [...all, ...not.map((x) => `NOT ${x}`), ...(any.length ? [`(${any.join(' OR ')})`] : [])];
    return parts.length ? `(${parts.join(' AND ')})` : '*';
  }
  const fv = one(body);
  if (!fv) return undefined;
  const [field, v] = fv;
  if (kind === 'term' || kind === 'match' || kind === 'match_phrase') {
    const value = v && typeof v === 'object' ? ((v as Record<string, unknown>).value ?? (v as Record<string, unknown>).query) : v;
    return value === undefined || typeof value === 'object' ? undefined : `${field}:${phrase(value)}`;
  }
  if (kind === 'terms') return Array.isArray(v) && v.length ? `${field}:(${v.map(phrase).join(' OR ')})` : undefined;
  if (kind === 'range' && v && typeof v === 'object') {
    const r = v as Record<string, unknown>;
    const lo = r.gte ?? r.gt ?? '*';
    const hi = r.lte ?? r.lt ?? '*';
    return `${field}:${r.gt !== undefined ? '{' : '['}${String(lo)} TO ${String(hi)}${r.lt !== undefined ? '}' : ']'}`;
  }
  return undefined;
}

/** The rule's filter (and the thread's query_key value) as one Lucene query; `exact: false` if a clause was left out. */
export function ruleLucene(rule: RuleConfig, qk?: { field?: string; value?: string }): { query: string; exact: boolean } {
  const raw = rule.props.filter;
  const listed = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  const parts = listed.map(luceneOf);
  const known = parts.filter((p): p is string => p !== undefined);
  const exact = known.length === listed.length;
  if (qk?.field && qk.value !== undefined) known.push(`${qk.field}:${phrase(qk.value)}`);
  return { query: known.join(' AND '), exact };
}

/** `<kibana>/app/discover#/?_g=(time:(from:'…',to:'…'))&_a=(query:(language:lucene,query:'…'))`. */
export function discoverUrl(kibanaUrl: string, from: number, to: number, query: string, indexPatternId?: string): string {
  const g = `(time:(from:${risonString(new Date(from).toISOString())},to:${risonString(new Date(to).toISOString())}))`;
  const a = `(${indexPatternId ? `index:${risonString(indexPatternId)},` : ''}query:(language:lucene,query:${risonString(query)}))`;
  return `${kibanaUrl.replace(/\/+$/, '')}/app/discover#/?_g=${encodeRison(g)}&_a=${encodeRison(a)}`;
}
