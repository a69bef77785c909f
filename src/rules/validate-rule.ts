/**
 * Validation the way Elastalert 0.2.4 loads a rule (schema.yaml, loaders.py load_options/load_modules,
 * each rule type's required_options), plus what Elastalert does not check but fails on later: unknown keys
 * (silently ignored there, so a typo disables a setting) and `{N}` / `{name}` fields in alert_text /
 * alert_subject that the args cannot fill (Elastalert raises IndexError when the first alert is sent), and
 * filter clauses Elasticsearch refuses once Elastalert has unwrapped them (check-filter.ts).
 */
import { closestKey } from './closest-key';
import { filterIssues } from './check-filter';
import { KNOWN_RULE_KEYS } from './known-keys';
import { defaultRuleName, type LoadedRule, type RuleIssue } from './load-rules';
import { numericValue, PyFloat, PyTimedelta } from './py-values';
import { formatFields, PythonFormatError } from './python-format';
import type { RuleConfig } from './rule-config';
import type { SpikeType } from './evaluate-types';

/** Rule types Elastalert defines (loaders.py rules_mapping) and each type's required options. */
export const RULE_TYPE_REQUIRED: Readonly<Record<string, readonly string[]>> = {
  any: [],
  frequency: ['num_events', 'timeframe'],
  spike: ['timeframe', 'spike_height', 'spike_type'],
  flatline: ['timeframe', 'threshold'],
  blacklist: ['compare_key', 'blacklist'],
  whitelist: ['compare_key', 'whitelist', 'ignore_null'],
  change: ['query_key', 'compare_key', 'ignore_null'],
  new_term: [],
  cardinality: ['timeframe', 'cardinality_field'],
  metric_aggregation: ['metric_agg_key', 'metric_agg_type'],
  percentage_match: ['match_bucket_filter'],
  // schema.yaml's Spike Aggregation also requires timeframe (required_options does not list it).
  spike_aggregation: ['metric_agg_key', 'metric_agg_type', 'spike_height', 'spike_type', 'timeframe'],
};

const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000, milliseconds: 1,
};
/** Keys loaders.py turns into timedelta(**value). */
const TIME_KEYS = ['timeframe', 'realert', 'aggregation', 'query_delay', 'buffer_time', 'run_every', 'exponential_realert',
  'kibana4_start_timedelta', 'kibana4_end_timedelta', 'kibana_discover_from_timedelta', 'kibana_discover_to_timedelta',
  'bucket_interval', 'terms_window_size'];

export interface Validation {
  /** Present when the rule has no errors. */
  rule?: RuleConfig;
  issues: RuleIssue[];
}

type Check = (v: unknown) => boolean;
const isInt: Check = (v) => typeof v === 'number' && Number.isInteger(v);
const isNum: Check = (v) => numericValue(v) !== undefined;
const isStr: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const isStrList: Check = (v) => Array.isArray(v) && v.every(isStr);
const isStrOrList: Check = (v) => isStr(v) || isStrList(v);

const TYPES: Readonly<Record<string, [Check, string]>> = {
  name: [isStr, 'a string'], index: [isStr, 'a string (an index pattern like logstash-*)'],
  spike_height: [isNum, 'a number, e.g. 2 or 1.5'], spike_type: [(v) => v === 'up' || v === 'down' || v === 'both', 'one of up, down, both'],
  threshold_cur: [isInt, 'an integer count'], threshold_ref: [isInt, 'an integer count'],
  num_events: [isInt, 'an integer count'], threshold: [isInt, 'an integer count'],
  alert_text: [isStr, 'a string'], alert_subject: [isStr, 'a string'],
  alert_text_args: [isStrList, 'a list of field or option names'], alert_subject_args: [isStrList, 'a list of field or option names'],
  alert_text_kw: [(v) => !!v && typeof v === 'object' && !Array.isArray(v), 'a mapping of field name → format name'],
  alert_text_type: [(v) => ['alert_text_only', 'exclude_fields', 'aggregation_summary_only'].includes(v as string),
    'one of alert_text_only, exclude_fields, aggregation_summary_only'],
  query_key: [isStrOrList, 'a field name or a list of field names'],
  use_count_query: [isBool, 'true or false'], use_terms_query: [isBool, 'true or false'], alert_on_new_data: [isBool, 'true or false'],
  attach_related: [isBool, 'true or false'], forget_keys: [isBool, 'true or false'], doc_type: [isStr, 'a string'],
  timestamp_field: [isStr, 'a field name'], field_value: [isStr, 'a field name'], terms_size: [isInt, 'an integer'],
  filter: [(v) => Array.isArray(v) || (!!v && typeof v === 'object'), 'a list of Elasticsearch query clauses'],
  alert: [(v) => isStr(v) || Array.isArray(v) || (!!v && typeof v === 'object'), 'an alerter name or a list of them'],
};

/** Parses a time mapping (`{minutes: 15}`) into ms, or returns the problem. */
export function parseTimeMapping(v: unknown, allowSchedule = false): number | string {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    return 'a mapping of time units, e.g. {minutes: 15} or {hours: 1} (units: weeks, days, hours, minutes, seconds, milliseconds)';
  let ms = 0;
  for (const [unit, n] of Object.entries(v as Record<string, unknown>)) {
    if (unit === 'schedule' && allowSchedule) continue;
    const per = TIME_UNITS_MS[unit];
    if (per === undefined) {
      const hint = closestKey(unit, Object.keys(TIME_UNITS_MS));
      return `a mapping of time units; "${unit}" is not one${hint ? ` (did you mean ${hint}?)` : ''}: use weeks, days, hours, minutes, seconds or milliseconds`;
    }
    const num = numericValue(n);
    if (num === undefined) return `a mapping of time units with numbers; ${unit}: ${JSON.stringify(n)} is not a number`;
    ms += num * per;
  }
  return ms;
}

export function validateRule(loaded: LoadedRule): Validation {
  const raw = loaded.raw;
  const issues: RuleIssue[] = [];
  const err = (key: string | undefined, message: string) => issues.push({ file: loaded.file, key, severity: 'error', message });
  const warn = (key: string | undefined, message: string) => issues.push({ file: loaded.file, key, severity: 'warning', message });
  const keys = Object.keys(raw);
  const unknown = keys.filter((k) => !KNOWN_RULE_KEYS.has(k) && !k.startsWith('jira_'));

  const missing = (key: string, why: string) => {
    const typo = unknown.find((u) => closestKey(u, [key]) === key);
    err(key, `missing required option ${key} (${why})${typo ? `; "${typo}" looks like a typo of it — rename it to ${key}` : ''}`);
  };
  for (const k of ['type', 'index', 'alert']) if (!(k in raw)) missing(k, 'every rule needs type, index and alert');
  if (!('name' in raw))
    warn('name', `no name: Elastalert names the rule after its file ("${defaultRuleName(loaded.file)}"); add name: to keep alerts stable if the file moves`);

  const type = raw.type;
  if (typeof type === 'string') {
    const required = RULE_TYPE_REQUIRED[type];
    if (required) {
      for (const k of required) if (!(k in raw)) missing(k, `a ${type} rule needs ${required.join(', ')}`);
      if (type === 'new_term' && !('fields' in raw) && !('query_key' in raw)) missing('fields', 'a new_term rule needs fields or query_key');
    } else if (!type.includes('.')) {
      const hint = closestKey(type, Object.keys(RULE_TYPE_REQUIRED));
      err('type', `unknown rule type "${type}"${hint ? ` (did you mean ${hint}?)` : ''}: use one of ${Object.keys(RULE_TYPE_REQUIRED).join(', ')}, or a custom module path like mymodule.MyRule`);
    }
  } else if ('type' in raw) err('type', 'type must be a rule type name such as spike, frequency, flatline or any');

  for (const [key, [check, expected]] of Object.entries(TYPES)) {
    if (key in raw && !check(raw[key])) err(key, `${key} must be ${expected}; got ${describe(raw[key])}`);
  }
  const times: Record<string, number> = {};
  for (const key of TIME_KEYS) {
    if (!(key in raw)) continue;
    const parsed = parseTimeMapping(raw[key], key === 'aggregation');
    if (typeof parsed === 'string') err(key, `${key} must be ${parsed}`);
    else times[key] = parsed;
  }
  if ((raw.use_count_query || raw.use_terms_query) && !('doc_type' in raw))
    err('doc_type', 'doc_type must be specified with use_count_query / use_terms_query (Elastalert refuses the rule otherwise); add doc_type: _doc');
  if (raw.use_terms_query && !('query_key' in raw)) err('query_key', 'use_terms_query needs query_key: the field whose values are counted');
  if (raw.use_terms_query)
    warn('use_terms_query', "Debian's elastalert 0.2.4 package (with its python3-elasticsearch 7.17) fails every terms query with TypeError " +
      "(ElasticSearchClient.deprecated_search() got an unexpected keyword argument 'headers'), and with disable_rules_on_error (the default) " +
      'disables the rule at its first run; where your Elastalert runs on that package, count per key with a plain query and query_key instead. ' +
      "The evaluation here follows Elastalert's terms code as written (num_hits counts buckets).");
  // Clauses Elasticsearch would refuse on every query (Elastalert only finds out when the rule runs).
  if ('filter' in raw && TYPES.filter[0](raw.filter)) for (const f of filterIssues(raw.filter)) err(f.key, f.message);
  if (raw.scan_entire_timeframe && !('timeframe' in raw)) err('scan_entire_timeframe', 'scan_entire_timeframe needs a timeframe');

  for (const k of unknown) {
    const hint = closestKey(k, KNOWN_RULE_KEYS);
    if (hint) err(k, `unknown option ${k}: likely a typo of ${hint} (Elastalert ignores unknown options, so this setting has no effect); rename it to ${hint}`);
    else warn(k, `unknown option ${k}: Elastalert ignores it (custom alerters may read it)`);
  }
  checkFormat(raw, 'alert_text', 'alert_text_args', err, warn);
  checkFormat(raw, 'alert_subject', 'alert_subject_args', err, warn);

  if (issues.some((i) => i.severity === 'error')) return { issues };
  return { rule: toConfig(loaded, times), issues };
}

function describe(v: unknown): string {
  if (v instanceof PyFloat) return String(v.value);
  return JSON.stringify(v) ?? String(v);
}

function checkFormat(raw: Record<string, unknown>, textKey: string, argsKey: string, err: (k: string, m: string) => void, warn: (k: string, m: string) => void) {
  const text = raw[textKey];
  if (typeof text !== 'string') return;
  const args = Array.isArray(raw[argsKey]) ? (raw[argsKey] as unknown[]) : undefined;
  const kw = textKey === 'alert_text' && raw.alert_text_kw && typeof raw.alert_text_kw === 'object' ? (raw.alert_text_kw as Record<string, unknown>) : undefined;
  // alerts.py uses alert_text_args if present, else alert_text_kw, else formats nothing: the text goes out as
  // written, braces and all, and nothing raises. Worth a warning (a forgotten args list), not an error.
  if (!args && !kw) {
    const brace = /\{[^{}]*\}?|\}/.exec(text);
    if (brace)
      warn(textKey, `${textKey} has ${brace[0]} but no ${argsKey}${textKey === 'alert_text' ? ' or alert_text_kw' : ''}: Elastalert does not format it, so the alert shows the braces as written. Add ${argsKey}: [field, …] to fill them (or leave it, if they are meant literally)`);
    return;
  }
  let fields;
  try {
    fields = formatFields(text);
  } catch (e) {
    const msg = e instanceof PythonFormatError ? e.message : String(e);
    err(textKey, `${textKey} is not a valid Python format string (${msg}); Elastalert raises formatting it with ${args ? argsKey : 'alert_text_kw'}. Write literal braces as {{ and }}`);
    return;
  }
  const positional = fields.filter((f) => typeof f.ref === 'number');
  const named = fields.filter((f) => typeof f.ref === 'string');
  if (args) {
    const n = args.length;
    for (const f of positional) {
      if ((f.ref as number) >= n) {
        const range = n === 0 ? 'no fields' : n === 1 ? '{0}' : `{0}…{${n - 1}}`;
        err(textKey, `${textKey} uses {${f.source}} but ${argsKey} has ${n} arg${n === 1 ? '' : 's'} (${n} args give ${range}; use {${n - 1}}, or add a ${ordinal(Number(f.ref) + 1)} arg to ${argsKey}). Elastalert raises IndexError when it sends the alert.`);
      }
    }
    for (const f of named)
      err(textKey, `${textKey} uses {${f.source}} but ${argsKey} fills positions only: use {N}, or switch to alert_text_kw`);
  } else if (kw) {
    const names = new Set(Object.values(kw).map(String));
    for (const f of positional) err(textKey, `${textKey} uses {${f.source}} but alert_text_kw fills names only: use {name}, or switch to alert_text_args`);
    for (const f of named)
      if (!names.has(f.ref as string)) err(textKey, `${textKey} uses {${f.source}} but alert_text_kw has no entry naming ${f.ref} (it names ${[...names].join(', ') || 'nothing'}); add "<field>: ${f.ref}"`);
  }
}

function ordinal(n: number): string {
  const words = ['zeroth', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
  return words[n] ?? `${n}th`;
}

/** load_options + RuleType.__init__ defaults, producing the typed config and the Python-valued props. */
function toConfig(loaded: LoadedRule, times: Record<string, number>): RuleConfig {
  const raw = loaded.raw;
  const props: Record<string, unknown> = { rule_file: loaded.file, ...raw };
  for (const [k, ms] of Object.entries(times)) {
    if (k === 'bucket_interval') props.bucket_interval_timedelta = new PyTimedelta(ms);
    else if (k !== 'terms_window_size') props[k] = new PyTimedelta(ms);
  }
  const realertMs = times.realert ?? ('aggregation' in raw ? 0 : 60_000);
  props.realert = new PyTimedelta(realertMs);
  const defaults: Record<string, unknown> = {
    name: defaultRuleName(loaded.file), aggregation: new PyTimedelta(0), query_delay: new PyTimedelta(0),
    timestamp_field: '@timestamp', filter: [], timestamp_type: 'iso', timestamp_format: '%Y-%m-%dT%H:%M:%SZ',
    _source_enabled: true, use_local_time: true, description: '', hipchat_msg_color: 'red', hipchat_domain: 'api.hipchat.com',
    hipchat_notify: true, hipchat_from: '', hipchat_ignore_ssl_errors: false, category: '', owner: '', priority: '2',
  };
  for (const [k, v] of Object.entries(defaults)) if (!(k in props)) props[k] = v;
  let queryKey: string | undefined;
  let compoundQueryKey: string[] | undefined;
  if (Array.isArray(raw.query_key)) {
    if (raw.query_key.length > 1) {
      compoundQueryKey = raw.query_key as string[];
      queryKey = compoundQueryKey.join(',');
      props.compound_query_key = compoundQueryKey;
      props.query_key = queryKey;
    } else if (raw.query_key.length === 1) props.query_key = queryKey = raw.query_key[0] as string;
    else delete props.query_key;
  } else if (typeof raw.query_key === 'string') queryKey = raw.query_key;
  return {
    file: loaded.file,
    name: props.name as string,
    type: raw.type as string,
    props,
    timestampField: props.timestamp_field as string,
    timeframeMs: times.timeframe,
    realertMs,
    runEveryMs: times.run_every,
    bufferTimeMs: times.buffer_time,
    queryDelayMs: times.query_delay ?? 0,
    queryKey,
    compoundQueryKey,
    spikeHeight: numericValue(raw.spike_height),
    spikeType: raw.spike_type as SpikeType | undefined,
    thresholdCur: numericValue(raw.threshold_cur),
    thresholdRef: numericValue(raw.threshold_ref),
    alertOnNewData: !!raw.alert_on_new_data,
    fieldValue: typeof raw.field_value === 'string' ? raw.field_value : undefined,
    numEvents: numericValue(raw.num_events),
    attachRelated: !!raw.attach_related,
    threshold: numericValue(raw.threshold),
    forgetKeys: !!raw.forget_keys,
    useCountQuery: !!raw.use_count_query,
    useTermsQuery: !!raw.use_terms_query,
    secretValues: loaded.secretValues,
  };
}
