import { describe, expect, it } from 'vitest';
import { evaluateRule, UnsupportedRuleTypeError } from '../../src/rules/evaluate-rule';
import { minimumRange, planRange, summarize } from '../../src/rules/plan-range';
import { parseSweep, sweepIgnoredBy, sweepRule } from '../../src/rules/sweep';
import { validateRule } from '../../src/rules/validate-rule';
import { arrayData } from './array-data';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const rule = (raw: Record<string, unknown>) =>
  validateRule({ file: 'r.yaml', raw: { name: 'r', index: 'i', alert: 'debug', ...raw }, imports: [], secretValues: [] }).rule!;
const spike = rule({ type: 'spike', timeframe: { minutes: 10 }, spike_height: 2, spike_type: 'up' });
// 2/min for 40 min, then 10/min for 10 min, then 2/min.
const events = Array.from({ length: 80 }, (_, m) => m).flatMap((m) => {
  const rate = m >= 40 && m < 50 ? 10 : 2;
  return Array.from({ length: rate }, (_, i) => ({ ts: T0 + m * MIN + ((i + 0.5) * MIN) / rate, fields: { status: 500 } }));
});

describe('planRange', () => {
  it('defaults to three timeframes + one run for a spike rule, and that range can fire', async () => {
    const now = T0 + 50 * MIN;
    const range = planRange(spike, { now });
    expect(range.to - range.from).toBe(Math.max(31 * MIN, 60 * MIN));
    const long = rule({ type: 'spike', timeframe: { hours: 4 }, spike_height: 2, spike_type: 'up' });
    const r2 = planRange(long, { now });
    expect(r2.to - r2.from).toBe(12 * 60 * MIN + MIN);
    expect(r2.to - r2.from).toBeGreaterThanOrEqual(minimumRange(long));
  });
  it("shows why elastalert-test-rule's 1.01 × timeframe never fires a spike rule", async () => {
    const data = arrayData(events);
    // elastalert-test-rule is one run over the range (catch-up); a daemon would also read buffer_time back.
    const short = await evaluateRule(spike, data, { from: T0 + 40 * MIN - 10.1 * MIN, to: T0 + 50 * MIN, mode: 'catch-up', render: false });
    expect(short.alerts).toEqual([]);
    const full = await evaluateRule(spike, data, { from: T0, to: T0 + 80 * MIN, render: false });
    expect(full.alerts).toHaveLength(1);
    expect(summarize(full, { from: T0, to: T0 + 80 * MIN })).toBe('would have fired 1 time over 1h 20m (2024-01-01T00:00:00.000Z → 2024-01-01T01:20:00.000Z)');
  });
  it('honours --days and warns when it is too short', () => {
    const r = planRange(spike, { now: T0, days: 2 });
    expect(r.to - r.from).toBe(2 * 24 * 60 * MIN);
    const big = rule({ type: 'spike', timeframe: { days: 1 }, spike_height: 2, spike_type: 'up' });
    expect(planRange(big, { now: T0, days: 1 }).warning).toMatch(/needs before it can fire; use a longer --days/);
    expect(() => planRange(spike, { now: T0, days: 0 })).toThrow(/--days must be a positive/);
  });
  it('takes --from/--to exactly, warns against the run_every the rule or daemon uses, and refuses a reversed range', () => {
    const explicit = { from: T0, to: T0 + 25 * MIN };
    const r = planRange(spike, { now: T0 + 90 * MIN, explicit });
    expect(r).toMatchObject({ ...explicit, reason: '--from/--to' });
    // 2 × 10 min + one run of 1 min: 25 min is enough; with run_every 10 min (the daemon's) it needs 30 min.
    expect(r.warning).toBeUndefined();
    expect(planRange(spike, { now: T0, explicit, runEveryMs: 10 * MIN }).warning).toBe(
      '25m is shorter than the 30m a spike rule with timeframe 10m needs before it can fire; use an earlier --from',
    );
    expect(() => planRange(spike, { now: T0, explicit: { from: T0, to: T0 } })).toThrow('--from (2024-01-01T00:00:00.000Z) must be before --to (2024-01-01T00:00:00.000Z)');
  });
});

describe('sweep', () => {
  it('parses ranges with the default step and rejects bad input with a fix', () => {
    expect(parseSweep('spike_height=1.5..4').values).toEqual([1.5, 2, 2.5, 3, 3.5, 4]);
    expect(parseSweep('num_events=10..30:10').values).toEqual([10, 20, 30]);
    expect(() => parseSweep('spike_height=4..1')).toThrow(/from ≤ to/);
    expect(() => parseSweep('index=1..2')).toThrow(/sweepable options are/);
    expect(() => parseSweep('spike_height 2')).toThrow(/key=from\.\.to/);
  });
  it('counts firings per value, reading the data only once', async () => {
    const data = arrayData(events);
    const rows = await sweepRule(spike, data, { from: T0, to: T0 + 80 * MIN }, parseSweep('spike_height=1.5..6:1.5'));
    // The spike is 10/min vs 2/min: ratio up to 5 in the windows, so 1.5, 3 and 4.5 fire, 6 does not.
    expect(rows.map((r) => [r.value, r.firings])).toEqual([[1.5, 1], [3, 1], [4.5, 1], [6, 0]]);
    expect(data.queries.length).toBe(80);
  });
  it('says when the rule ignores the swept option (ruletypes.py reads each in one type only)', () => {
    const freq = rule({ type: 'frequency', num_events: 5, timeframe: { minutes: 5 } });
    const flat = rule({ type: 'flatline', threshold: 3, timeframe: { minutes: 5 } });
    const mean = rule({ type: 'spike', timeframe: { minutes: 10 }, spike_height: 2, spike_type: 'up', field_value: 'bytes' });
    expect(['spike_height', 'threshold_cur', 'threshold_ref'].map((k) => sweepIgnoredBy(spike, k))).toEqual([undefined, undefined, undefined]);
    expect(sweepIgnoredBy(freq, 'num_events')).toBeUndefined();
    expect(sweepIgnoredBy(flat, 'threshold')).toBeUndefined();
    expect(sweepIgnoredBy(spike, 'num_events')).toMatch(/a spike rule does not read num_events \(only frequency rules do\).*sweep spike_height or threshold_cur or threshold_ref instead/);
    expect(sweepIgnoredBy(freq, 'spike_height')).toMatch(/a frequency rule does not read spike_height.*sweep num_events instead/);
    expect(sweepIgnoredBy(flat, 'num_events')).toMatch(/a flatline rule does not read num_events.*sweep threshold instead/);
    expect(sweepIgnoredBy(rule({ type: 'any' }), 'threshold')).toMatch(/an any rule does not read threshold .*there is no option to sweep on an any rule/);
    expect(sweepIgnoredBy(mean, 'threshold_cur')).toMatch(/field_value ignores threshold_cur/);
    expect(sweepIgnoredBy(mean, 'spike_height')).toBeUndefined();
  });
  it('refuses rule types it cannot evaluate, naming the supported ones', async () => {
    const bl = rule({ type: 'blacklist', compare_key: 'user', blacklist: ['x'] });
    await expect(evaluateRule(bl, arrayData([]), { from: T0, to: T0 + MIN })).rejects.toThrow(UnsupportedRuleTypeError);
    await expect(evaluateRule(bl, arrayData([]), { from: T0, to: T0 + MIN })).rejects.toThrow(/supported types are spike, frequency, flatline, any/);
  });
});
