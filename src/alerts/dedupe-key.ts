import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so two serialisations of one match (Python dict order varies) hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Elastalert retries a failed POST with the very same body (send_pending_alerts re-sends the stored match), so
 * rule + match time + query_key value + the body itself identify one alert; a different match differs in at
 * least its timestamp or counts. The hash is also the BullMQ job id, which makes the enqueue idempotent.
 */
export function dedupeKey(parts: { rule: string; matchTs?: number; queryKeyValue?: string; body: unknown }): string {
  const h = createHash('sha256');
  h.update(`${parts.rule}\u0000${parts.matchTs ?? ''}\u0000${parts.queryKeyValue ?? ''}\u0000${canonicalJson(parts.body)}`);
  return `a${h.digest('hex').slice(0, 40)}`;
}
