/**
 * Runs a rule over a time range the way the Elastalert daemon (elastalert.py) feeds it.
 *
 * Model ('daemon', the default): the daemon runs the rule every run_every; run k ends at
 * end_k = from + k·run_every (while end_k ≤ to), with "now" = end_k + query_delay. Rule state starts empty at
 * `from`. Each run is ElastAlerter.run_rule over (previous end, end_k]: with buffer_time ≥ run_every the daemon
 * re-queries the last buffer_time and drops already-seen _ids, which on stored history equals querying
 * (previous end, end_k]; with a shorter buffer_time it queries in buffer_time segments. Count and terms
 * queries use run_every segments and add one count stamped at each segment's end time. After every segment
 * the rule's garbage_collect(segment end) runs. Then each match goes through realert: one silence per
 * rule name + query_key value, until now + realert (default 1 minute; 0 disables).
 * 'catch-up' mode is one run_rule(from, to) — `elastalert --start … --end …` — where every match shares one
 * "now", so realert lets only the first match per key through.
 * Not modelled: aggregation, exponential_realert, max_query_size truncation, scrolling, enhancements.
 */
import { frequencyEngine, anyEngine } from './evaluate-frequency';
import { spikeEngine } from './evaluate-spike';
import type { RawMatch, RuleData, RuleTypeEngine } from './evaluate-types';
import { lookupField } from './lookup-field';
import { pyStr } from './py-values';
import { renderAlertText, type RenderOptions } from './render-alert';
import type { RuleConfig } from './rule-config';
import { withCompoundKey } from './match-key';
import { readAhead } from './read-ahead';

export const SUPPORTED_TYPES = ['spike', 'frequency', 'flatline', 'any'] as const;

export interface EvaluateOptions extends RenderOptions {
  from: number;
  to: number;
  /** The daemon's global run_every (config.yaml); the rule's own run_every wins. Default 1 minute. */
  runEveryMs?: number;
  /** The daemon's global buffer_time; the rule's own wins. Default 15 minutes (Elastalert's example config). */
  bufferTimeMs?: number;
  mode?: 'daemon' | 'catch-up';
  /** Render alert text for each alert (default true). A sweep turns it off. */
  render?: boolean;
  /**
   * Read the whole range once and answer the segments from memory (read-ahead.ts): the same documents per
   * segment, far fewer requests. Default false, so tests over arrays see every segment query.
   */
  readAhead?: boolean;
}

export interface Alert {
  /** The match time (epoch ms) and its ISO form as in the match. */
  ts: number;
  iso: string;
  /** The "now" of the run that alerted. */
  alertedAt: number;
  /** query_key value, or 'all'. */
  key: string;
  match: Record<string, unknown>;
  /** spike_count / reference_count, count (flatline) … — whichever the type put in the match. */
  counts: Record<string, number>;
  /** Rendered text, or the error Elastalert would raise rendering it. */
  text?: string;
  renderError?: string;
}

export interface Evaluation {
  alerts: Alert[];
  /** Matches realert silenced. */
  silenced: RawMatch[];
  runs: number;
}

export class UnsupportedRuleTypeError extends Error {}

export function createEngine(rule: RuleConfig): RuleTypeEngine {
  switch (rule.type) {
    case 'spike':
      return spikeEngine(rule);
    case 'frequency':
      return frequencyEngine(rule);
    case 'flatline':
      return frequencyEngine(rule, true);
    case 'any':
      return anyEngine(rule);
    default:
      throw new UnsupportedRuleTypeError(
        `rule type "${rule.type}" (${rule.file}) cannot be evaluated by the bot: supported types are ${SUPPORTED_TYPES.join(', ')}. ` +
          'Test it with the real Elastalert (elastalert-test-rule) instead.',
      );
  }
}

const COUNT_KEYS = ['spike_count', 'reference_count', 'count', 'num_hits', 'num_matches'];

export async function evaluateRule(rule: RuleConfig, source: RuleData, opts: EvaluateOptions): Promise<Evaluation> {
  const engine = createEngine(rule);
  const runEvery = rule.runEveryMs ?? opts.runEveryMs ?? 60_000;
  const globalRunEvery = opts.runEveryMs ?? 60_000;
  const bufferTime = rule.bufferTimeMs ?? opts.bufferTimeMs ?? 15 * 60_000;
  const countLike = rule.useCountQuery || rule.useTermsQuery;
  // get_segment_size uses the daemon's global run_every for count/terms queries.
  const segment = countLike ? globalRunEvery : bufferTime;
  if (!(runEvery > 0) || !(segment > 0)) throw new Error('run_every and buffer_time must be positive durations');
  const data = opts.readAhead ? readAhead(source, { from: opts.from, to: opts.to, countStepMs: segment }) : source;
  const silenceUntil = new Map<string, number>();
  const out: Evaluation = { alerts: [], silenced: [], runs: 0 };

  const runs: [number, number][] = [];
  if (opts.mode === 'catch-up') runs.push([opts.from, opts.to]);
  else for (let end = opts.from + runEvery, start = opts.from; end <= opts.to; start = end, end += runEvery) runs.push([start, end]);

  for (const [runStart, end] of runs) {
    out.runs++;
    let hits = 0;
    const query = async (from: number, to: number) => {
      if (rule.useCountQuery) {
        const n = await data.count(from, to);
        hits += n;
        engine.addCountData(to, n);
      } else if (rule.useTermsQuery) {
        if (!data.terms) throw new Error('this data source cannot run terms queries; remove use_terms_query or use the ES adapter');
        const buckets = await data.terms(from, to, rule.queryKey!, Number(rule.props.terms_size ?? 50));
        hits += buckets.reduce((s, b) => s + b.doc_count, 0);
        engine.addTermsData(to, buckets);
      } else {
        const events = (await data.events(from, to)).map((e) => ({ ts: e.ts, fields: withCompoundKey(e.fields, rule.queryKey, rule.compoundQueryKey) }));
        hits += events.length;
        if (events.length) engine.addData(events);
      }
    };
    let start = runStart;
    let tmp = start;
    while (end - start > segment) {
      tmp += segment;
      await query(start, tmp);
      start = tmp;
      engine.garbageCollect(tmp);
    }
    await query(start, end);
    engine.garbageCollect(end);

    const now = end + rule.queryDelayMs;
    const matches = engine.takeMatches();
    for (const m of matches) {
      m.match.num_hits = hits;
      m.match.num_matches = matches.length;
      const silenceKey = silenceKeyOf(rule, m);
      const until = silenceUntil.get(silenceKey);
      if (until !== undefined && now < until) {
        out.silenced.push(m);
        continue;
      }
      if (rule.realertMs) silenceUntil.set(silenceKey, now + rule.realertMs);
      out.alerts.push(toAlert(rule, m, now, opts));
    }
  }
  return out;
}

/** elastalert.py get_query_key_value: flatline uses the match's 'key'; others the query_key field. */
function silenceKeyOf(rule: RuleConfig, m: RawMatch): string {
  let qk: unknown;
  if (rule.type === 'flatline' && 'key' in m.match) qk = m.match.key;
  else if (rule.queryKey) qk = lookupField(m.match, rule.queryKey);
  return qk === undefined || qk === null ? rule.name : `${rule.name}.${pyStr(qk)}`;
}

function toAlert(rule: RuleConfig, m: RawMatch, now: number, opts: EvaluateOptions): Alert {
  const counts: Record<string, number> = {};
  for (const k of COUNT_KEYS) {
    const v = m.match[k] as unknown;
    const n = typeof v === 'number' ? v : v && typeof v === 'object' && 'value' in v ? Number((v as { value: number }).value) : undefined;
    if (n !== undefined) counts[k] = n;
  }
  const alert: Alert = { ts: m.ts, iso: String(m.match[rule.timestampField]), alertedAt: now, key: m.key, match: m.match, counts };
  if (opts.render !== false) {
    try {
      alert.text = renderAlertText(rule, m.match, opts);
    } catch (e) {
      alert.renderError =
        `${(e as Error).message} — Elastalert fails this alert and, with disable_rules_on_error (the default), disables the rule. ` +
        'Fix alert_text / alert_text_args (run validation for the exact field).';
    }
  }
  return alert;
}
