/**
 * One rule over one range: evaluate with the engine (Elastalert's windowing), and keep what the cluster
 * answered so the chart shows the very counts the engine saw — no second read of the cluster.
 */
import { daemonTimes, evaluateRule, parseSweep, readAhead, readFrom, sweepRule, type Evaluation, type RuleConfig, type RuleData } from '../../src/rules';
import type { CountPoint, CountsChartInput, ChartLine } from '../../src/charts/render-counts-chart';

export interface BacktestResult {
  evaluation: Evaluation;
  series: CountPoint[];
  intervalMs: number;
  hits: number;
  sweep?: { key: string; rows: { value: number; firings: number; silenced: number }[] };
}

const INTERVALS = [60_000, 5 * 60_000, 15 * 60_000, 3_600_000, 6 * 3_600_000, 86_400_000];

/** The smallest interval giving at most ~90 bars: readable at Slack's preview width. */
export function pickInterval(rangeMs: number): number {
  return INTERVALS.find((i) => rangeMs / i <= 90) ?? INTERVALS[INTERVALS.length - 1];
}

/**
 * Wraps RuleData so every answer is also counted into per-interval buckets, each document once: the daemon
 * re-reads the last buffer_time every run, and only documents after everything read so far are new.
 */
function recording(data: RuleData, from: number, intervalMs: number, buckets: number[]) {
  const add = (ts: number, n: number) => {
    const i = Math.floor((ts - 1 - from) / intervalMs); // (from, to] ranges: a doc exactly at a boundary belongs to the earlier bucket's end
    if (i >= 0 && i < buckets.length) buckets[i] += n;
  };
  let readUpTo = -Infinity;
  const wrapped: RuleData = {
    events: async (a, b) => {
      const ev = await data.events(a, b);
      for (const e of ev) if (e.ts > readUpTo) add(e.ts, 1);
      readUpTo = Math.max(readUpTo, b);
      return ev;
    },
    ...(data.eventCount && { eventCount: data.eventCount.bind(data) }),
    count: async (a, b) => {
      const n = await data.count(a, b);
      add(b, n); // count queries are stamped at the segment's end, as Elastalert does
      return n;
    },
    ...(data.terms && {
      terms: async (a: number, b: number, field: string, size: number) => {
        const t = await data.terms!(a, b, field, size);
        add(b, t.reduce((s, x) => s + x.doc_count, 0));
        return t;
      },
    }),
  };
  return wrapped;
}

export interface BacktestOptions {
  /** 'daemon' (default): the rule as the running daemon would have seen it, run by run. 'catch-up': one
   * run over the whole range, as `elastalert-test-rule --start --end` does (used for parity with it). */
  mode?: 'daemon' | 'catch-up';
  /** The daemon's run_every / buffer_time (config.yaml), when the rule does not set its own. */
  runEveryMs?: number;
  bufferTimeMs?: number;
}

export async function backtest(rule: RuleConfig, data: RuleData, range: { from: number; to: number }, sweep?: string, opts: BacktestOptions = {}): Promise<BacktestResult> {
  const intervalMs = pickInterval(range.to - range.from);
  const buckets = new Array<number>(Math.ceil((range.to - range.from) / intervalMs)).fill(0);
  // Read-ahead: the range is read once (one scroll, or one histogram for count queries) and sliced per
  // segment; the recording sits outside it, so it sees (and charts) exactly the segments the engine asked for.
  const countStepMs = rule.useCountQuery || rule.useTermsQuery ? daemonTimes(rule, opts).globalRunEvery : undefined;
  // The daemon's first run reads buffer_time back from its end, before range.from.
  const ahead = readAhead(data, { from: readFrom(rule, { ...range, ...opts }), to: range.to, countStepMs });
  const source = recording(ahead, range.from, intervalMs, buckets);
  const evaluation = await evaluateRule(rule, source, { from: range.from, to: range.to, timeZone: 'UTC', ...opts });
  const series = buckets.map((count, i) => ({ ts: range.from + i * intervalMs, count }));
  const result: BacktestResult = { evaluation, series, intervalMs, hits: buckets.reduce((s, n) => s + n, 0) };
  if (sweep) {
    const spec = parseSweep(sweep);
    result.sweep = { key: spec.key, rows: await sweepRule(rule, ahead, { from: range.from, to: range.to, timeZone: 'UTC', ...opts }, spec) };
  }
  return result;
}

/** Events in the (t − span, t] window at each bucket end, from the per-interval series. */
function rolling(series: CountPoint[], intervalMs: number, spanMs: number, shiftMs = 0): { ts: number; value: number }[] {
  const n = Math.max(1, Math.round(spanMs / intervalMs));
  const shift = Math.round(shiftMs / intervalMs);
  return series.map((p, i) => {
    const end = i - shift;
    let v = 0;
    for (let j = Math.max(0, end - n + 1); j <= end; j++) v += series[j]?.count ?? 0;
    return { ts: p.ts + intervalMs, value: v };
  });
}

/** The chart for a backtest: what the rule compares, drawn in the rule's own terms. */
export function chartInput(rule: RuleConfig, r: { series: CountPoint[]; intervalMs: number; alerts: { ts: number; iso: string }[] }, title: string, subtitle: string): CountsChartInput {
  const tf = rule.timeframeMs ?? 0;
  const lines: ChartLine[] = [];
  const tfText = tf >= 3_600_000 ? `${tf / 3_600_000} h` : `${Math.round(tf / 60_000)} min`;
  if (tf && rule.type !== 'any') lines.push({ label: `events in last ${tfText}`, axis: 'window', points: rolling(r.series, r.intervalMs, tf) });
  if (rule.type === 'spike') {
    if (rule.thresholdCur) lines.push({ label: `threshold_cur ${rule.thresholdCur}`, axis: 'window', value: rule.thresholdCur, dashed: true });
    if (rule.spikeHeight && rule.spikeType !== 'down') {
      const ref = rolling(r.series, r.intervalMs, tf, tf).map((p) => ({ ts: p.ts, value: p.value * rule.spikeHeight! }));
      lines.push({ label: `previous ${tfText} × ${rule.spikeHeight}`, axis: 'window', points: ref, dashed: true });
    }
  } else if (rule.type === 'frequency' && rule.numEvents) lines.push({ label: `num_events ${rule.numEvents}`, axis: 'window', value: rule.numEvents, dashed: true });
  else if (rule.type === 'flatline' && rule.threshold) lines.push({ label: `threshold ${rule.threshold}`, axis: 'window', value: rule.threshold, dashed: true });
  const first = r.alerts[0];
  // Elastalert's spike windows are sized by events, not clock time; one timeframe either side of the first
  // match (which is the oldest event of the current window) is what the rule compared, near enough to see.
  const windows = first && rule.type === 'spike' && tf
    ? [
        { from: first.ts - tf, to: first.ts, label: 'reference', kind: 'reference' as const },
        { from: first.ts, to: first.ts + tf, label: 'current', kind: 'current' as const },
      ]
    : undefined;
  return {
    title,
    subtitle,
    series: r.series,
    intervalMs: r.intervalMs,
    what: 'events',
    lines,
    windows,
    markers: r.alerts.slice(0, 8).map((a) => ({ ts: a.ts, label: `match ${a.iso.slice(11, 16)}` })),
    timeZone: 'UTC',
  };
}
