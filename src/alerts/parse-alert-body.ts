/**
 * Turns a webhook body into an IncomingAlert, or says exactly what is wrong with it (the 400's reason).
 *
 * post / post2 (Elastalert 0.2.4 HTTPPostAlerter, ElastAlert 2 HTTPPostAlerter / HTTPPost2Alerter): one POST per
 * match, the body being the match document (every field, plus num_hits, num_matches, spike_count, ...) updated
 * with http_post_static_payload. The match does not carry the rule's name, so the rule says it:
 *   http_post_static_payload: { rule_name: "Spike in 5xxs", query_key: host, cluster: prod }
 * (or ?rule=…&query_key=…&cluster=… on the URL).
 *
 * slack (SlackAlerter): { username, text, attachments: [{ color, title, title_link, text, fields }], channel };
 * the title is the rule name (or its alert_subject), the text the rendered alert body.
 */
import { lookupField } from '../rules/lookup-field';
import { dedupeKey } from './dedupe-key';
import type { AlertSource, IncomingAlert } from './incoming-alert';

export class BadAlertError extends Error {}

const RULE_KEYS = ['rule_name', 'rule', 'alert_rule'] as const;

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw new BadAlertError('the body is empty: Elastalert sends the match as a JSON object');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new BadAlertError(`the body is not JSON (${(e as Error).message.slice(0, 120)})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1e11 ? v : v * 1000;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

export function parsePostBody(source: Extract<AlertSource, 'post' | 'post2'>, raw: Buffer, query: URLSearchParams, receivedAt: number): IncomingAlert {
  const body = parseJson(raw);
  if (!isObject(body)) throw new BadAlertError('the body must be a JSON object (the match document), not an array or a value');
  const rule = RULE_KEYS.map((k) => str(body[k])).find(Boolean) ?? str(query.get('rule'));
  if (!rule) {
    throw new BadAlertError(
      'no rule name: the match document does not carry it; add `http_post_static_payload: {rule_name: <the rule\'s name>}` to the rule (or ?rule=<name> to the URL)',
    );
  }
  const tsField = str(body.timestamp_field) ?? str(query.get('timestamp_field')) ?? '@timestamp';
  const qkField = str(body.query_key) ?? str(query.get('query_key'));
  let queryKey: IncomingAlert['queryKey'];
  if (qkField) {
    const value = str(lookupField(body, qkField));
    // Elastalert itself files a match without the key under "None"; so do we rather than refuse it.
    queryKey = { field: qkField, value: value ?? 'None' };
  }
  const matchTs = timeOf(lookupField(body, tsField));
  return {
    source,
    id: dedupeKey({ rule, matchTs, queryKeyValue: queryKey?.value, body }),
    rule,
    matchTs,
    queryKey,
    index: str(body._index),
    cluster: str(body.cluster) ?? str(query.get('cluster')),
    severity: str(body.severity)?.toLowerCase() ?? str(query.get('severity'))?.toLowerCase(),
    fields: body,
    text: str(body.alert_text),
    receivedAt,
  };
}

export function parseSlackBody(raw: Buffer, query: URLSearchParams, receivedAt: number): IncomingAlert {
  const body = parseJson(raw);
  if (!isObject(body)) throw new BadAlertError('the body must be a Slack webhook message: a JSON object with attachments');
  const attachments = body.attachments;
  if (attachments !== undefined && !Array.isArray(attachments)) throw new BadAlertError('attachments must be an array of {color, title, text, fields}');
  const first = (Array.isArray(attachments) ? attachments[0] : undefined) as Record<string, unknown> | undefined;
  if (first !== undefined && !isObject(first)) throw new BadAlertError('attachments[0] must be an object {color, title, text, fields}');
  const rule = str(first?.title) ?? str(query.get('rule'));
  if (!rule) throw new BadAlertError('no rule name: attachments[0].title is empty (Elastalert puts the rule name or alert_subject there)');
  const text = [str(body.text), str(first?.text)].filter(Boolean).join('\n') || undefined;
  const fields: Record<string, unknown> = {};
  if (Array.isArray(first?.fields)) {
    for (const f of first.fields as unknown[]) if (isObject(f) && str(f.title)) fields[str(f.title)!] = f.value;
  }
  // The alert body lists every match field as `key: value`; pick the ones grouping and timing need.
  const line = (key: string) => (text ? new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (.+)$`, 'm').exec(text)?.[1]?.trim() : undefined);
  const qkField = str(query.get('query_key'));
  const queryKey = qkField ? { field: qkField, value: str(fields[qkField]) ?? line(qkField) ?? 'None' } : undefined;
  const matchTs = timeOf(line(str(query.get('timestamp_field')) ?? '@timestamp'));
  const channel = str(body.channel);
  return {
    source: 'slack',
    id: dedupeKey({ rule, matchTs, queryKeyValue: queryKey?.value, body }),
    rule,
    matchTs,
    queryKey,
    index: line('_index'),
    cluster: str(query.get('cluster')),
    severity: str(query.get('severity'))?.toLowerCase(),
    fields: { ...fields, ...(channel ? { slack_channel: channel } : {}) },
    text,
    title: str(first?.title),
    titleLink: str(first?.title_link),
    receivedAt,
  };
}
