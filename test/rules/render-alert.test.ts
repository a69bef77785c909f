// Alert text and subject against the REAL Elastalert BasicMatchString / create_title (make-render-golden.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderAlertSubject, renderAlertText } from '../../src/rules/render-alert';
import { PyFloat } from '../../src/rules/py-values';
import { validateRule } from '../../src/rules/validate-rule';

interface G { match: Record<string, unknown>; cases: { title: string; rule: Record<string, unknown>; floats: string[]; text: string; subject: string }[] }
const golden = JSON.parse(readFileSync(new URL('../fixtures/rules/golden/render-golden.json', import.meta.url), 'utf8')) as G;

function ruleOf(extra: Record<string, unknown>, floats: string[]) {
  const raw: Record<string, unknown> = { name: 'Spike in 5xxs', type: 'spike', index: 'logstash-*', alert: 'debug', timeframe: { minutes: 15 },
    spike_height: 2, spike_type: 'up', num_events: 5, ...extra };
  for (const f of floats) raw[f] = new PyFloat(raw[f] as number);
  const v = validateRule({ file: 'r.yaml', raw, imports: [], secretValues: [] });
  expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return v.rule!;
}

describe('renderAlertText / renderAlertSubject match Elastalert', () => {
  it.each(golden.cases.map((c) => [c.title, c]))('%s', (_t, c) => {
    const rule = ruleOf(c.rule, c.floats);
    expect(renderAlertText(rule, { ...golden.match })).toBe(c.text);
    const subjectRule = ruleOf({ ...c.rule, alert_subject: 'Spike on {0} ({1})', alert_subject_args: ['host.name', 'missing_field'] }, c.floats);
    expect(renderAlertSubject(subjectRule, { ...golden.match })).toBe(c.subject);
  });
  it('masks secret placeholder values in the rendered text', () => {
    const rule = { ...ruleOf({ alert_text: 'token {0}', alert_text_args: ['tok'], alert_text_type: 'alert_text_only' }, []), secretValues: ['s3cr3t'] };
    expect(renderAlertText(rule, { tok: 'is s3cr3t' })).toBe('token is ••••\n\n');
  });
});
