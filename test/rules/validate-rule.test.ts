import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderAlertText } from '../../src/rules/render-alert';
import { loadRulesFromFolder } from '../../src/rules/load-rules';
import { validateRule } from '../../src/rules/validate-rule';
import { PyTimedelta } from '../../src/rules/py-values';

const fixtures = fileURLToPath(new URL('../fixtures/rules/', import.meta.url));
const values = { 'general-spike-5xxs.yaml.threshold_cur': '10', KIBANA_URL: 'https://k', HIPCHAT_ROOM: '1', HIPCHAT_TOKEN: 't0k' };
const v = (raw: Record<string, unknown>) => validateRule({ file: 'r.yaml', raw, imports: [], secretValues: [] });
const errors = (raw: Record<string, unknown>) => v(raw).issues.filter((i) => i.severity === 'error').map((i) => `${i.key}: ${i.message}`);
const spike = { name: 'n', type: 'spike', index: 'i', alert: 'debug', timeframe: { minutes: 5 }, spike_height: 2, spike_type: 'up' };

describe('validateRule', () => {
  it("catches the field notes' {4} with four args and its `query: {query: …}` filter, and says how to fix both", () => {
    const r = loadRulesFromFolder(`${fixtures}field-notes`, { environment: 'ci', values });
    const res = validateRule(r.rules[0]);
    expect(res.rule).toBeUndefined();
    expect(res.issues).toEqual([
      expect.objectContaining({
        file: 'general-spike-5xxs.yaml', key: 'filter[0]', severity: 'error',
        message: expect.stringContaining('sends {query: "Status: [500 TO 599]"} (after Elastalert strips the outer `query:`); Elasticsearch ≥ 5 has no query named "query" and refuses it ("unknown query [query]")'),
      }),
      expect.objectContaining({
        file: 'general-spike-5xxs.yaml', key: 'alert_text', severity: 'error',
        message: expect.stringContaining('uses {4} but alert_text_args has 4 args (4 args give {0}…{3}; use {3}, or add a fifth arg to alert_text_args)'),
      }),
    ]);
    expect(res.issues[0].message).toContain('Write `- query: {query_string: {query: "Status: [500 TO 599]"}}`');
  });
  it('accepts a valid spike rule and applies Elastalert defaults (realert 1 minute, timedeltas)', () => {
    const res = v(spike);
    expect(res.issues).toEqual([]);
    expect(res.rule).toMatchObject({ timeframeMs: 300_000, realertMs: 60_000, spikeHeight: 2, timestampField: '@timestamp' });
    expect(res.rule!.props.timeframe).toEqual(new PyTimedelta(300_000));
    expect(v({ ...spike, aggregation: { minutes: 5 } }).rule!.realertMs).toBe(0);
  });
  it('reports missing required options per type, with the typo that probably meant it', () => {
    const { spike_height: _omit, ...rest } = spike;
    expect(errors({ ...rest, spike_heigth: 2 })).toEqual([
      expect.stringMatching(/^spike_height: missing required option spike_height .*"spike_heigth" looks like a typo of it/),
      expect.stringMatching(/^spike_heigth: unknown option spike_heigth: likely a typo of spike_height/),
    ]);
    expect(errors({ name: 'n', type: 'frequency', index: 'i', alert: 'x' }).map((e) => e.split(':')[0])).toEqual(['num_events', 'timeframe']);
    expect(errors({ name: 'n', type: 'flatline', index: 'i', alert: 'x', timeframe: { hours: 1 } })[0]).toMatch(/^threshold: missing/);
    expect(errors({ type: 'any' }).map((e) => e.split(':')[0])).toEqual(['index', 'alert']);
    expect(errors({ ...spike, type: 'spkie' })[0]).toMatch(/unknown rule type "spkie" \(did you mean spike\?\)/);
  });
  it('checks value types: numbers, enums and time mappings', () => {
    expect(errors({ ...spike, spike_height: 'two' })[0]).toMatch(/^spike_height: spike_height must be a number/);
    expect(errors({ ...spike, spike_type: 'sideways' })[0]).toMatch(/one of up, down, both/);
    expect(errors({ ...spike, timeframe: 15 })[0]).toMatch(/^timeframe: timeframe must be a mapping of time units/);
    expect(errors({ ...spike, timeframe: { minuts: 15 } })[0]).toMatch(/"minuts" is not one \(did you mean minutes\?\)/);
    expect(errors({ ...spike, use_count_query: true })[0]).toMatch(/^doc_type: doc_type must be specified/);
  });
  it('checks alert_text fields against alert_text_kw and flags braces without args', () => {
    expect(errors({ ...spike, alert_text: '{host} {n}', alert_text_kw: { 'host.name': 'host' } })).toEqual([
      expect.stringMatching(/^alert_text: alert_text uses \{n\} but alert_text_kw has no entry naming n/),
    ]);
    expect(errors({ ...spike, alert_subject: '{0} {1}', alert_subject_args: ['a'] })[0]).toMatch(/^alert_subject: alert_subject uses \{1\}/);
    expect(errors({ ...spike, alert_text: '{0} {}', alert_text_args: ['a', 'b'] })[0]).toMatch(/not a valid Python format string/);
    expect(errors({ ...spike, alert_text: '{{literal}} {1}', alert_text_args: ['a', 'b'] })).toEqual([]);
  });
  it('braces in alert_text without args are a warning, not an error: Elastalert sends them as written', () => {
    const text = 'x {0} and {host} {';
    const res = v({ ...spike, alert_text: text, alert_text_type: 'alert_text_only' });
    expect(res.rule).toBeDefined();
    expect(res.issues).toEqual([
      expect.objectContaining({ key: 'alert_text', severity: 'warning', message: expect.stringMatching(/has \{0\} but no alert_text_args or alert_text_kw: Elastalert does not format it/) }),
    ]);
    expect(v({ ...spike, alert_subject: 'down: {0}' }).issues).toEqual([expect.objectContaining({ key: 'alert_subject', severity: 'warning' })]);
    // With args the same unbalanced brace is an error: str.format raises on it.
    expect(errors({ ...spike, alert_text: text, alert_text_args: ['a'] })[0]).toMatch(/not a valid Python format string/);
    const ours = renderAlertText(res.rule!, { '@timestamp': '2024-01-01T00:00:00Z' });
    expect(ours.startsWith(text)).toBe(true);
    if (existsSync('/usr/lib/python3/dist-packages/elastalert/alerts.py')) {
      // The real BasicMatchString (Elastalert 0.2.4) prints it unchanged and raises nothing.
      const py = 'import datetime, sys\nfrom elastalert.alerts import BasicMatchString\nfrom elastalert.ruletypes import SpikeRule\n' +
        "r = {'name': 'n', 'timeframe': datetime.timedelta(minutes=5), 'spike_height': 2, 'spike_type': 'up', 'timestamp_field': '@timestamp', 'alert_text': sys.argv[1], 'alert_text_type': 'alert_text_only'}\n" +
        "r['type'] = SpikeRule(r)\nsys.stdout.write(str(BasicMatchString(r, {'@timestamp': '2024-01-01T00:00:00Z'})))";
      expect(execFileSync('/usr/bin/python3', ['-c', py, text], { encoding: 'utf8' })).toBe(ours);
    }
  });
  it('spike_aggregation needs a timeframe, as schema.yaml requires', () => {
    const sa = { name: 'n', type: 'spike_aggregation', index: 'i', alert: 'debug', metric_agg_key: 'b', metric_agg_type: 'avg', spike_height: 2, spike_type: 'up' };
    expect(errors(sa)).toEqual([expect.stringMatching(/^timeframe: missing required option timeframe \(a spike_aggregation rule needs .*timeframe\)/)]);
    expect(errors({ ...sa, timeframe: { minutes: 5 } })).toEqual([]);
  });
  it('warns about an unknown option that is no typo, and a missing name', () => {
    const { name: _n, ...noName } = spike;
    const res = v({ ...noName, team_owner_slack: 'x' });
    expect(res.rule?.name).toBe('r');
    expect(res.issues.map((i) => `${i.severity} ${i.key}`)).toEqual(['warning name', 'warning team_owner_slack']);
  });
  it('checks filter clauses as Elasticsearch will see them after Elastalert unwraps `query:`', () => {
    const f = (filter: unknown) => errors({ ...spike, filter });
    // Accepted: the wrapped and the bare form, any known query type, an object holding only download_dashboard.
    expect(f([{ query: { query_string: { query: 'Status: [500 TO 599]' } } }, { query_string: { query: 'a' } }, { term: { host: 'web-1' } }, { range: { Status: { gte: 500 } } }])).toEqual([]);
    expect(f({ download_dashboard: 'x' })).toEqual([]);
    expect(f([{ query: { query: 'Status: 500' } }])[0]).toMatch(/^filter\[0\]: .*unknown query \[query\].*query_string: \{query: "Status: 500"\}/);
    // A bare {query: "…"} is what the field-notes clause becomes; the same refusal without the unwrap note.
    expect(f([{ term: { a: 1 } }, { query: 'Status: 500' }])[0]).toMatch(/^filter\[1\]: filter item 1 sends "Status: 500".*query_string: \{query: "Status: 500"\}/);
    expect(f([{ querystring: { query: 'a' } }])[0]).toMatch(/unknown query "querystring".*did you mean query_string\?/);
    expect(f([{ not: { term: { a: 1 } } }])[0]).toMatch(/"not", removed in Elasticsearch 5.*must_not/);
    expect(f([{ missing: { field: 'a' } }])[0]).toMatch(/removed in Elasticsearch 5.*exists/);
    expect(f([{ term: { a: 1 }, range: { b: { gt: 1 } } }])[0]).toMatch(/2 queries in one clause \(term, range\).*own list item/);
    expect(f(['Status:500'])[0]).toMatch(/not a query clause; Elastalert fails loading the rule/);
    expect(f([null])[0]).toMatch(/filter item 0 is null/);
    expect(f([{}])[0]).toMatch(/empty clause/);
    expect(f([{ query_string: 'Status:500' }])[0]).toMatch(/query_string takes a mapping/);
    expect(f([{ query: { query_string: { default_field: 'x' } } }])[0]).toMatch(/query_string needs query:/);
    expect(f({ term: { a: 1 } })[0]).toMatch(/^filter: filter is a mapping with "term"; .*as a list/);
  });
});
