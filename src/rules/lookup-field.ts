/** util.py lookup_es_key: `a.b.c` matches a literal dotted key or nested objects, greedily, as Elastalert does. */

export function lookupField(doc: Record<string, unknown>, term: string): unknown {
  if (term in doc) return doc[term] ?? undefined;
  const parts = term.split('.');
  let cursor: unknown = doc;
  let sub = '';
  for (let i = 0; i < parts.length; i++) {
    if (!cursor || typeof cursor !== 'object') return undefined;
    sub += parts[i];
    const obj = cursor as Record<string, unknown>;
    if (sub in obj) {
      if (i === parts.length - 1) return obj[sub] ?? undefined;
      cursor = obj[sub];
      sub = '';
    } else if (i === parts.length - 1) return undefined;
    else sub += '.';
  }
  return undefined;
}

/** Elastalert's dt_to_ts: ISO 8601 with 'Z', milliseconds only when non-zero. */
export function isoTs(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
