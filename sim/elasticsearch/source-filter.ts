import { flag } from './router';

/**
 * `_source` filtering as search and get apply it: `_source: false`, a pattern or list of patterns, or
 * `{includes, excludes}`; URL parameters `_source`, `_source_includes`, `_source_excludes` replace the body's.
 * Patterns use `*` (which also crosses dots); an include naming an object keeps all of it.
 */
export interface SourceFilter {
  fetch: boolean;
  includes: string[];
  excludes: string[];
}

const list = (v: unknown): string[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : String(v).split(',').map((s) => s.trim()).filter(Boolean);

export function sourceFilterOf(body: unknown, qs: URLSearchParams): SourceFilter {
  const urlSource = qs.get('_source');
  if (urlSource !== null || qs.has('_source_includes') || qs.has('_source_excludes')) {
    let fetch = true;
    let includes = list(qs.get('_source_includes') ?? undefined);
    if (urlSource !== null) {
      if (urlSource === 'false' || urlSource === 'true' || urlSource === '') fetch = flag(qs, '_source', true);
      else includes = list(urlSource);
    }
    return { fetch, includes, excludes: list(qs.get('_source_excludes') ?? undefined) };
  }
  if (body === undefined || body === true) return { fetch: true, includes: [], excludes: [] };
  if (body === false) return { fetch: false, includes: [], excludes: [] };
  if (typeof body === 'string' || Array.isArray(body)) return { fetch: true, includes: list(body), excludes: [] };
  const o = body as Record<string, unknown>;
  return { fetch: true, includes: list(o.includes ?? o.include), excludes: list(o.excludes ?? o.exclude) };
}

const re = (p: string) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

export function applySourceFilter(source: Record<string, unknown>, f: SourceFilter): Record<string, unknown> | undefined {
  if (!f.fetch) return undefined;
  if (!f.includes.length && !f.excludes.length) return source;
  const inc = f.includes.map(re);
  const exc = f.excludes.map(re);
  // A pattern could still match something below `path` (so descend into the object).
  const couldMatchBelow = (path: string) =>
    f.includes.some((p) => {
      const head = p.split('*')[0];
      return p.includes('*') ? (path + '.').startsWith(head) || head.startsWith(path + '.') : p.startsWith(path + '.');
    });
  const walk = (obj: Record<string, unknown>, prefix: string, included: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (exc.some((r) => r.test(path))) continue;
      const here = included || !inc.length || inc.some((r) => r.test(path));
      const isObj = v !== null && typeof v === 'object' && !Array.isArray(v);
      if (isObj) {
        if (here || couldMatchBelow(path)) {
          const sub = walk(v as Record<string, unknown>, path, here);
          if (Object.keys(sub).length || (here && !Object.keys(v as object).length)) out[k] = sub;
        }
      } else if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
        if (here || couldMatchBelow(path)) {
          const items = v.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? walk(x as Record<string, unknown>, path, here) : here ? x : undefined)).filter((x) => x !== undefined && (typeof x !== 'object' || Object.keys(x as object).length));
          if (items.length) out[k] = items;
        }
      } else if (here) out[k] = v;
    }
    return out;
  };
  return walk(source, '', false);
}
