// The engine against the REAL Elastalert 0.2.4 rule types run on the same synthetic data
// (test/fixtures/rules/golden/make-eval-golden.py): same alerts (time, key, counts, alert time), same silenced.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../src/rules/evaluate-rule';
import type { RuleEvent } from '../../src/rules/evaluate-types';
import { validateRule } from '../../src/rules/validate-rule';
import { arrayData } from './array-data';

interface Rec { ts: string; key: string | null; at: number; counts: Record<string, number> }
interface Case {
  name: string; rule: Record<string, unknown>; from: number; to: number; run_every_min: number; buffer_min: number;
  events: RuleEvent[]; alerts: Rec[]; silenced: Rec[];
}
const cases = JSON.parse(readFileSync(new URL('../fixtures/rules/golden/eval-golden.json', import.meta.url), 'utf8')) as Case[];

function configOf(c: Case) {
  const v = validateRule({ file: `${c.name}.yaml`, raw: { name: c.name, index: 'logstash-*', alert: 'debug', ...c.rule }, imports: [], secretValues: [] });
  expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return v.rule!;
}

describe('evaluation matches real Elastalert rule types', () => {
  it('has golden cases that alert and that silence (so the comparison is not vacuous)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(cases.every((c) => c.alerts.length > 0)).toBe(true);
    expect(cases.some((c) => c.silenced.length > 0)).toBe(true);
  });
  it.each(cases.map((c) => [c.name, c]))('%s', async (_n, c) => {
    const rule = configOf(c);
    const res = await evaluateRule(rule, arrayData(c.events), {
      from: c.from, to: c.to, runEveryMs: c.run_every_min * 60_000, bufferTimeMs: c.buffer_min * 60_000, render: false,
    });
    const keyOf = (k: string) => (rule.queryKey || rule.type === 'flatline' ? k : null);
    expect(res.alerts.map((a) => ({ ts: a.iso, key: keyOf(a.key), at: a.alertedAt, counts: a.counts }))).toEqual(c.alerts);
    expect(res.silenced.map((m) => String(m.match['@timestamp']))).toEqual(c.silenced.map((s) => s.ts));
  });
});
