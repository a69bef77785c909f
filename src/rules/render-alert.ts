/**
 * Alert text and subject exactly as Elastalert 0.2.4 renders them (alerts.py BasicMatchString, Alerter
 * create_title): alert_text formatted with alert_text_args (each looked up in the match by dotted path, then
 * as a rule option if truthy, else alert_missing_value / `<MISSING VALUE>`) or alert_text_kw; then, unless
 * alert_text_type is alert_text_only, the rule type's match description and (unless exclude_fields) every
 * match field, sorted, one `key: value` a line.
 */
import { lookupField } from './lookup-field';
import { PyFloat, PyTimedelta, pyStr, pyTruthy } from './py-values';
import { pythonFormat } from './python-format';
import type { RuleConfig } from './rule-config';
import { maskSecrets } from './fill-placeholders';

export interface RenderOptions {
  /** IANA zone for times in the match description; Elastalert uses its host's local zone (use_local_time). */
  timeZone?: string;
}

function argValues(rule: RuleConfig, match: Record<string, unknown>, args: readonly string[]): unknown[] {
  const missing = (rule.props.alert_missing_value as string | undefined) ?? '<MISSING VALUE>';
  return args.map((arg) => {
    let v = lookupField(match, arg);
    if (v === undefined || v === null) {
      const opt = rule.props[arg];
      if (pyTruthy(opt)) v = opt;
    }
    return v === undefined || v === null ? missing : v;
  });
}

function customText(rule: RuleConfig, match: Record<string, unknown>): string {
  const text = pyStr(rule.props.alert_text ?? '');
  const args = rule.props.alert_text_args;
  if (Array.isArray(args)) return pythonFormat(text, argValues(rule, match, args as string[]));
  const kwSpec = rule.props.alert_text_kw;
  if (kwSpec && typeof kwSpec === 'object') {
    const missing = (rule.props.alert_missing_value as string | undefined) ?? '<MISSING VALUE>';
    const kw: Record<string, unknown> = {};
    for (const [name, kwName] of Object.entries(kwSpec as Record<string, unknown>)) {
      let v = lookupField(match, name);
      if (v === undefined || v === null) v = rule.props[name];
      kw[String(kwName)] = v === undefined || v === null ? missing : v;
    }
    return pythonFormat(text, [], kw);
  }
  return text;
}

/** util.py pretty_ts: '%Y-%m-%d %H:%M %Z'. */
export function prettyTs(ms: number, timeZone = 'UTC'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const zone = parts.timeZoneName === 'GMT' || parts.timeZoneName === 'UTC' ? 'UTC' : parts.timeZoneName;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zone}`;
}

/** The rule type's get_match_str. */
export function matchDescription(rule: RuleConfig, match: Record<string, unknown>, opts: RenderOptions = {}): string {
  const ts = Date.parse(String(match[rule.timestampField]));
  const tf = rule.timeframeMs ?? 0;
  const p = (ms: number) => prettyTs(ms, opts.timeZone);
  const td = pyStr(new PyTimedelta(tf));
  const int = (v: unknown) => String(Math.trunc(Number(v instanceof PyFloat ? v.value : v)));
  switch (rule.type) {
    case 'spike':
      if (rule.fieldValue === undefined)
        return `An abnormal number (${int(match.spike_count)}) of events occurred around ${p(ts)}.\n` +
          `Preceding that time, there were only ${int(match.reference_count)} events within ${td}\n\n`;
      return `An abnormal average value (${Number(numberOf(match.spike_count)).toFixed(2)}) of field '${rule.fieldValue}' occurred around ${p(ts)}.\n` +
        `Preceding that time, the field had an average value of (${Number(numberOf(match.reference_count)).toFixed(2)}) within ${td}\n\n`;
    case 'frequency':
      return `At least ${rule.numEvents} events occurred between ${p(ts - tf)} and ${p(ts)}\n\n`;
    case 'flatline':
      return `An abnormally low number of events occurred around ${p(ts)}.\n` +
        `Between ${p(ts - tf)} and ${p(ts)}, there were less than ${rule.threshold} events.\n\n`;
    default:
      return '';
  }
}

function numberOf(v: unknown): number {
  return v instanceof PyFloat ? v.value : Number(v);
}

function pythonJson(v: unknown, indent: string): string {
  // json.dumps(sort_keys=True, indent=4, ensure_ascii=False)
  const inner = indent + '    ';
  if (v instanceof PyFloat) return Number.isInteger(v.value) ? `${v.value}.0` : String(v.value);
  if (v instanceof PyTimedelta) throw new TypeError('timedelta is not JSON serializable');
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + pythonJson(x, inner)).join(',\n')}\n${indent}]` : '[]';
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return keys.length ? `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${pythonJson((v as Record<string, unknown>)[k], inner)}`).join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(v ?? null);
}

function matchItems(match: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(match).sort()) {
    if (key.startsWith('top_events_')) continue;
    const value = match[key];
    let s = pyStr(value);
    if (Array.isArray(value) || (value && typeof value === 'object' && !(value instanceof PyFloat) && !(value instanceof PyTimedelta))) {
      try {
        s = pythonJson(value, '');
      } catch {
        /* Elastalert falls back to str() for what JSON cannot hold. */
      }
    }
    out += `${key}: ${s}\n`;
  }
  return out;
}

/** The body BasicMatchString builds for one match. Throws PythonFormatError where Elastalert would raise. */
export function renderAlertText(rule: RuleConfig, match: Record<string, unknown>, opts: RenderOptions = {}): string {
  let text = '';
  if (!('alert_text' in rule.props)) text += `${rule.name}\n\n`;
  text += customText(rule, match);
  const ensure = () => {
    while (text.slice(-2) !== '\n\n') text += '\n';
  };
  ensure();
  const type = rule.props.alert_text_type;
  if (type !== 'alert_text_only') {
    text += matchDescription(rule, match, opts);
    ensure();
    if (type !== 'exclude_fields') text += matchItems(match);
  }
  return maskSecrets(text, rule.secretValues);
}

/** Alerter.create_title: alert_subject with alert_subject_args (first match), cut at alert_subject_max_len; else the name. */
export function renderAlertSubject(rule: RuleConfig, match: Record<string, unknown>): string {
  if (!('alert_subject' in rule.props)) return rule.name;
  let subject = pyStr(rule.props.alert_subject);
  const args = rule.props.alert_subject_args;
  if (Array.isArray(args)) subject = pythonFormat(subject, argValues(rule, match, args as string[]));
  const max = Number(rule.props.alert_subject_max_len ?? 2048);
  return maskSecrets([...subject].slice(0, max).join(''), rule.secretValues);
}
