/**
 * The counts chart on an alert thread's first post: the rule's matching documents per interval around the
 * match, with the spike's reference and current windows shaded, so whoever opens the thread sees the shape of
 * the spike without opening Kibana. Drawn by src/charts (shared with /elk alert-test).
 */
import { renderCountsChart, type CountsChartInput } from '../charts/render-counts-chart';
import type { RuleConfig } from '../rules';
import type { AlertCountsPort } from './alert-counts';
import type { GroupState } from './alert-groups';

const INTERVALS = [60_000, 5 * 60_000, 15 * 60_000, 3_600_000, 6 * 3_600_000, 86_400_000];
const DEFAULT_TIMEFRAME = 15 * 60_000;

/** The smallest interval giving at most ~60 bars: readable at Slack's preview width. */
function intervalFor(rangeMs: number): number {
  return INTERVALS.find((i) => rangeMs / i <= 60) ?? INTERVALS[INTERVALS.length - 1];
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** The range and windows the chart covers: for a spike, reference then current (Elastalert's two timeframes). */
export function chartRange(rule: RuleConfig, matchTs: number): { from: number; to: number; intervalMs: number; windows: CountsChartInput['windows'] } {
  const tf = rule.timeframeMs ?? DEFAULT_TIMEFRAME;
  // The match is the oldest event of the current window (as in jobs/alert-test's chart): reference before it.
  const windows: CountsChartInput['windows'] = rule.type === 'spike'
    ? [{ from: matchTs - tf, to: matchTs, label: 'reference', kind: 'reference' }, { from: matchTs, to: matchTs + tf, label: 'current', kind: 'current' }]
    : [{ from: matchTs - tf, to: matchTs, label: 'timeframe', kind: 'current' }];
  const span = rule.type === 'spike' ? 2 * tf : tf;
  const intervalMs = intervalFor(span * 1.5);
  // A quarter timeframe of context either side, aligned on the interval so the bars line up with the windows.
  const from = Math.floor((windows[0].from - tf / 4) / intervalMs) * intervalMs;
  const to = Math.ceil((windows[windows.length - 1].to + tf / 4) / intervalMs) * intervalMs;
  return { from, to, intervalMs, windows };
}

export async function alertChart(g: GroupState, rule: RuleConfig, counts: AlertCountsPort): Promise<{ png: Buffer; intervalMs: number } | undefined> {
  const matchTs = g.firstMatch ?? g.openedAt;
  const r = chartRange(rule, matchTs);
  const series = await counts.counts(g.cluster, rule, r.from, r.to, r.intervalMs);
  if (!series) return undefined;
  const chart = renderCountsChart({
    title: `${g.rule}${g.qkField ? ` (${g.qkField}=${g.qkValue})` : ''}`,
    subtitle: `${g.cluster} · ${String(rule.props.index)} · match at ${hhmm(matchTs)} UTC`,
    series,
    intervalMs: r.intervalMs,
    what: 'matching events',
    windows: r.windows,
    // No threshold lines: they compare window totals, and this chart shows per-interval bars only (the
    // thread's parent already states the spike's numbers).
    markers: [{ ts: matchTs, label: `match ${hhmm(matchTs)}` }],
    timeZone: 'UTC',
  });
  return { png: chart.png, intervalMs: r.intervalMs };
}
