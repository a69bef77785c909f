/**
 * Which time range an alert test evaluates. A spike rule cannot match before an event arrives two full
 * timeframes after its first one, so the default covers three timeframes (two to fill, one to see a spike);
 * elastalert-test-rule's default of 1.01 × timeframe can therefore never fire a spike rule.
 * Frequency and flatline need one timeframe before they can match; they get two.
 */
import { formatDuration } from '../config/duration';
import { daemonTimes, type Evaluation } from './evaluate-rule';
import type { RuleConfig } from './rule-config';

export interface RangeInput {
  now: number;
  /** `--days N`: evaluate the last N days instead of the default. */
  days?: number;
  /** `--from/--to`, resolved: evaluate exactly this range. */
  explicit?: { from: number; to: number };
  /** The daemon's run_every, used as the step and the margin (default 1 minute). */
  runEveryMs?: number;
}

export interface PlannedRange {
  from: number;
  to: number;
  /** Why this range, for the thread. */
  reason: string;
  /** Set when the range is too short for the rule to ever match. */
  warning?: string;
}

const HOUR = 3_600_000;

/** The shortest range in which the rule type can produce a match at all. */
export function minimumRange(rule: RuleConfig, runEveryMs = 60_000): number {
  const tf = rule.timeframeMs ?? 0;
  if (rule.type === 'spike') return 2 * tf + runEveryMs;
  if (rule.type === 'frequency' || rule.type === 'flatline') return tf + runEveryMs;
  return runEveryMs;
}

export function planRange(rule: RuleConfig, input: RangeInput): PlannedRange {
  const step = daemonTimes(rule, input).runEvery;
  const tf = rule.timeframeMs ?? 0;
  const given = (range: PlannedRange, advice: string): PlannedRange => {
    const min = minimumRange(rule, step);
    if (range.to - range.from < min)
      range.warning = `${formatDuration(range.to - range.from)} is shorter than the ${formatDuration(min)} a ${rule.type} rule with timeframe ${formatDuration(tf)} needs before it can fire; ${advice}`;
    return range;
  };
  if (input.explicit) {
    const { from, to } = input.explicit;
    if (!(to > from)) throw new Error(`--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()})`);
    return given({ from, to, reason: '--from/--to' }, 'use an earlier --from');
  }
  const to = Math.floor(input.now / step) * step;
  if (input.days !== undefined) {
    if (!(input.days > 0)) throw new Error('--days must be a positive number of days, e.g. --days 2');
    return given({ from: to - input.days * 24 * HOUR, to, reason: `the last ${input.days} day${input.days === 1 ? '' : 's'} (--days)` }, 'use a longer --days');
  }
  const multiple = rule.type === 'spike' ? 3 : rule.type === 'frequency' || rule.type === 'flatline' ? 2 : 0;
  const span = Math.max(multiple * tf + step, HOUR);
  const from = to - Math.ceil(span / step) * step;
  const reason = multiple
    ? `${multiple} × timeframe (${formatDuration(tf)}) + one run: the least in which a ${rule.type} rule can fire, with a margin`
    : 'the last hour';
  return { from, to, reason };
}

/** "would have fired K times over <range>" */
export function summarize(ev: Evaluation, range: { from: number; to: number }): string {
  const k = ev.alerts.length;
  const over = `${formatDuration(range.to - range.from)} (${new Date(range.from).toISOString()} → ${new Date(range.to).toISOString()})`;
  const silenced = ev.silenced.length ? `; ${ev.silenced.length} more match${ev.silenced.length === 1 ? '' : 'es'} silenced by realert` : '';
  return `would have fired ${k} time${k === 1 ? '' : 's'} over ${over}${silenced}`;
}
