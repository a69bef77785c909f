/**
 * Runs a rule over a time range the way the Elastalert daemon (elastalert.py) feeds it.
 *
 * Model ('daemon', the default): a daemon started fresh at `from` (no earlier run in its writeback index) runs
 * the rule every run_every; run k ends at end_k = from + k·run_every (while end_k ≤ to), with "now" =
 * end_k + query_delay. Each run is ElastAlerter.run_rule(end_k), its start from set_starttime:
 * - document queries: start = end_k − buffer_time, or the previous end when that is earlier (a buffer_time
 *   shorter than run_every); so the first run reads buffer_time back from its end, before `from`. The run
 *   queries (start, end_k] in buffer_time segments; get_hits counts every hit into num_hits, then
 *   remove_duplicate_events drops the _ids an earlier run already fed the rule. On stored history those are
 *   exactly the documents at or before the previous end (remove_old_events forgets an _id only once it is
 *   older than end − buffer_time, out of every later query), so the rule is fed (previous end, end_k] while
 *   num_hits counts the whole (start, end_k].
 * - count and terms queries: start = the previous end, or end_k − the daemon's global run_every on the first
 *   run; segments of the global run_every, each adding one count (or bucket list) stamped at the segment end.
 *   get_hits_count adds the count to num_hits; get_hits_terms adds the NUMBER OF BUCKETS (elastalert.py:534).
 * After every segment the rule's garbage_collect(segment end) runs. Then each match goes through realert: one
 * silence per rule name + query_key value, until now + realert (default 1 minute; 0 disables).
 * 'catch-up' mode is one run_rule(end = to, start = from) — `elastalert-test-rule --start … --end …` — where every match
 * shares one "now", so realert lets only the first match per key through.
 * Not modelled: aggregation, exponential_realert, max_query_size truncation, scrolling, enhancements.
 */
import { frequencyEngine, anyEngine } from './evaluate-frequency';
import { spikeEngine } from './evaluate-spike';
import type { RawMatch, RuleData, RuleEvent, RuleTypeEngine } from './evaluate-types';
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

/** Why the bot cannot evaluate this rule's type (with what to do instead), or undefined when it can. */
export function unsupportedTypeMessage(rule: Pick<RuleConfig, 'type' | 'file'>): string | undefined {
  if ((SUPPORTED_TYPES as readonly string[]).includes(rule.type)) return undefined;
  return `rule type "${rule.type}" (${rule.file}) cannot be evaluated by the bot: supported types are ${SUPPORTED_TYPES.join(', ')}. ` +
    'Test it with the real Elastalert (elastalert-test-rule) instead.';
}

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
      throw new UnsupportedRuleTypeError(unsupportedTypeMessage(rule));
  }
}

const COUNT_KEYS = ['spike_count', 'reference_count', 'count', 'num_hits', 'num_matches'];

export async function evaluateRule(rule: RuleConfig, source: RuleData, opts: EvaluateOptions): Promise<Evaluation> {
  const engine = createEngine(rule);
  const { runEvery, globalRunEvery, bufferTime } = daemonTimes(rule, opts);
  const countLike = rule.useCountQuery || rule.useTermsQuery;
  // get_segment_size uses the daemon's global run_every for count/terms queries.
  const segment = countLike ? globalRunEvery : bufferTime;
  if (!(runEvery > 0) || !(segment > 0)) throw new Error('run_every and buffer_time must be positive durations');
  const data = opts.readAhead ? readAhead(source, { from: readFrom(rule, opts), to: opts.to, countStepMs: segment }) : source;
  const silenceUntil = new Map<string, number>();
  const out: Evaluation = { alerts: [], silenced: [], runs: 0 };

  // [start, end, previous end]: the previous end is what an earlier run already fed the rule.
  const runs: [number, number, number | undefined][] = [];
  if (opts.mode === 'catch-up') runs.push([opts.from, opts.to, undefined]);
  else {
    let previous: number | undefined;
    for (let end = opts.from + runEvery; end <= opts.to; end += runEvery) {
      runs.push([daemonStart(end, previous), end, previous]);
      previous = end;
    }
  }
  /** elastalert.py set_starttime for a daemon without an earlier run in its writeback index. */
  function daemonStart(end: number, previous: number | undefined): number {
    if (countLike) return previous ?? end - globalRunEvery;
    const bufferDelta = end - bufferTime;
    return previous !== undefined && previous < bufferDelta ? previous : bufferDelta;
  }

  for (const [runStart, end, seenUpTo] of runs) {
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
        // get_hits_terms: num_hits += len(buckets), not the documents they count.
        hits += buckets.length;
        engine.addTermsData(to, buckets);
      } else {
        let read: RuleEvent[];
        if (seenUpTo !== undefined && from < seenUpTo && data.eventCount) {
          // The already-seen part only counts towards num_hits; read-ahead answers its size from memory.
          const cut = Math.min(seenUpTo, to);
          hits += await data.eventCount(from, cut);
          read = await data.events(cut, to);
          hits += read.length;
        } else {
          read = await data.events(from, to);
          hits += read.length;
          if (seenUpTo !== undefined && from < seenUpTo) read = read.filter((e) => e.ts > seenUpTo);
        }
        const events = read.map((e) => ({ ts: e.ts, fields: withCompoundKey(e.fields, rule.queryKey, rule.compoundQueryKey) }));
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

/** The daemon's run_every, buffer_time and count-query segment for a rule (the rule's own keys win). */
export function daemonTimes(rule: RuleConfig, opts: Pick<EvaluateOptions, 'runEveryMs' | 'bufferTimeMs'>) {
  const globalRunEvery = opts.runEveryMs ?? 60_000;
  return {
    runEvery: rule.runEveryMs ?? globalRunEvery,
    globalRunEvery,
    bufferTime: rule.bufferTimeMs ?? opts.bufferTimeMs ?? 15 * 60_000,
  };
}

/**
 * The earliest time any run of an evaluation reads from: `from` in catch-up mode; in daemon mode the first run's
 * start, which lies before `from` (it reads buffer_time back from its end, or the global run_every for counts).
 */
export function readFrom(rule: RuleConfig, opts: Pick<EvaluateOptions, 'from' | 'mode' | 'runEveryMs' | 'bufferTimeMs'>): number {
  if (opts.mode === 'catch-up') return opts.from;
  const t = daemonTimes(rule, opts);
  const firstEnd = opts.from + t.runEvery;
  return Math.min(opts.from, firstEnd - (rule.useCountQuery || rule.useTermsQuery ? t.globalRunEvery : t.bufferTime));
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
