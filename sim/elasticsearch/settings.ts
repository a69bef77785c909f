/** Settings are kept flat with string values, as Elasticsearch stores them; these convert the REST forms. */
export type FlatSettings = Record<string, string>;

/** Flattens nested or dotted input; `null` is kept so callers can treat it as "remove". */
export function flatten(input: unknown, prefix = ''): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (input === null || input === undefined) return out;
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === null) out[key] = null;
    else if (Array.isArray(v)) out[key] = v.map(String).join(',');
    else if (typeof v === 'object') Object.assign(out, flatten(v, key));
    else out[key] = String(v);
  }
  return out;
}

export function nest(flat: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** Index settings may be given with or without the `index.` prefix, and wrapped in `settings`. */
export function normalizeIndexSettings(body: unknown): Record<string, string | null> {
  const raw = body && typeof body === 'object' && 'settings' in body ? (body as { settings: unknown }).settings : body;
  const flat = flatten(raw);
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(flat)) out[k.startsWith('index.') ? k : `index.${k}`] = v;
  return out;
}

export const isTrue = (v: string | undefined): boolean => v === 'true';

/** Dotted-path getter for document fields ("a.b" also matches a literal "a.b" key). */
export function getField(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
