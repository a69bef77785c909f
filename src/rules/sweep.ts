/**
 * Sweeps one numeric option (`spike_height=1.5..4`, step 0.5 by default) and counts firings per value.
 * The data is read once: every query the first evaluation makes is cached, and each further value replays
 * the engine over the cache (the runs and their ranges do not depend on the swept option).
 */
import { evaluateRule, type EvaluateOptions } from './evaluate-rule';
import type { RuleData, RuleEvent, TermsBucket } from './evaluate-types';
import { PyFloat } from './py-values';
import type { RuleConfig } from './rule-config';

/** Each sweepable option: the rule field it sets, and the rule types that read it (ruletypes.py). */
const SWEEPABLE: Readonly<Record<string, { field: keyof RuleConfig; types: readonly string[] }>> = {
  spike_height: { field: 'spikeHeight', types: ['spike'] },
  threshold_cur: { field: 'thresholdCur', types: ['spike'] },
  threshold_ref: { field: 'thresholdRef', types: ['spike'] },
  num_events: { field: 'numEvents', types: ['frequency'] },
  threshold: { field: 'threshold', types: ['flatline'] },
};

const notSweepable = (key: string) => `cannot sweep ${key}: sweepable options are ${Object.keys(SWEEPABLE).join(', ')}`;

export interface SweepSpec {
  key: string;
  values: number[];
}

export interface SweepRow {
  value: number;
  firings: number;
  silenced: number;
}

/** Parses `key=from..to[:step]`. */
export function parseSweep(text: string): SweepSpec {
  const m = /^([a-z_]+)=(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read sweep "${text}": write key=from..to or key=from..to:step, e.g. spike_height=1.5..4:0.5`);
  const [, key, a, b, s] = m;
  if (!(key in SWEEPABLE)) throw new Error(notSweepable(key));
  const from = Number(a);
  const to = Number(b);
  const step = s !== undefined ? Number(s) : key === 'spike_height' ? 0.5 : 1;
  if (!(step > 0) || to < from) throw new Error(`sweep ${text}: need from ≤ to and a positive step`);
  const values: number[] = [];
  // Count steps in integers so 1.5 + 0.5·k does not drift (0.1-style steps).
  for (let k = 0; from + k * step <= to + 1e-9; k++) values.push(Number((from + k * step).toFixed(10)));
  if (values.length > 200) throw new Error(`sweep ${text} has ${values.length} values; use a larger step (at most 200 values)`);
  return { key, values };
}

/** A RuleData that remembers every answer, so a sweep reads Elasticsearch once. */
export function cachedData(data: RuleData): RuleData {
  const ev = new Map<string, RuleEvent[]>();
  const cnt = new Map<string, number>();
  const evc = new Map<string, number>();
  const trm = new Map<string, TermsBucket[]>();
  return {
    async events(from, to) {
      const k = `${from}:${to}`;
      if (!ev.has(k)) ev.set(k, await data.events(from, to));
      return ev.get(k)!.map((e) => ({ ts: e.ts, fields: { ...e.fields } }));
    },
    async count(from, to) {
      const k = `${from}:${to}`;
      if (!cnt.has(k)) cnt.set(k, await data.count(from, to));
      return cnt.get(k)!;
    },
    ...(data.eventCount && {
      async eventCount(from: number, to: number) {
        const k = `${from}:${to}`;
        if (!evc.has(k)) evc.set(k, await data.eventCount!(from, to));
        return evc.get(k)!;
      },
    }),
    ...(data.terms && {
      async terms(from: number, to: number, field: string, size: number) {
        const k = `${from}:${to}:${field}:${size}`;
        if (!trm.has(k)) trm.set(k, await data.terms!(from, to, field, size));
        return trm.get(k)!;
      },
    }),
  };
}

/**
 * Why sweeping `key` on this rule would show the same firings for every value, or undefined when the rule reads
 * it: a type that ignores it, or a spike rule with field_value, whose find_matches skips threshold_cur/_ref.
 */
export function sweepIgnoredBy(rule: RuleConfig, key: string): string | undefined {
  const types = SWEEPABLE[key]?.types;
  if (!types) return notSweepable(key);
  if (!types.includes(rule.type)) {
    const own = Object.keys(SWEEPABLE).filter((k) => SWEEPABLE[k].types.includes(rule.type));
    const a = `${/^[aeiou]/.test(rule.type) ? 'an' : 'a'} ${rule.type} rule`;
    return `${a} does not read ${key} (only ${types.join(', ')} rules do), so every value would give the same firings; ` +
      (own.length ? `sweep ${own.join(' or ')} instead` : `there is no option to sweep on ${a}`);
  }
  if ((key === 'threshold_cur' || key === 'threshold_ref') && rule.fieldValue !== undefined)
    return `a spike rule with field_value ignores ${key} (Elastalert compares the field's averages without thresholds), so every value would give the same firings; sweep spike_height instead`;
  return undefined;
}

export function withOption(rule: RuleConfig, key: string, value: number): RuleConfig {
  const field = SWEEPABLE[key]?.field;
  if (!field) throw new Error(notSweepable(key));
  // An integral value is what YAML `2` gives (a Python int); others are Python floats.
  const pyValue = Number.isInteger(value) ? value : new PyFloat(value);
  return { ...rule, [field]: value, props: { ...rule.props, [key]: pyValue } };
}

export async function sweepRule(rule: RuleConfig, data: RuleData, opts: EvaluateOptions, spec: SweepSpec): Promise<SweepRow[]> {
  const cached = cachedData(data);
  const rows: SweepRow[] = [];
  for (const value of spec.values) {
    const ev = await evaluateRule(withOption(rule, spec.key, value), cached, { ...opts, render: false });
    rows.push({ value, firings: ev.alerts.length, silenced: ev.silenced.length });
  }
  return rows;
}
