/**
 * `/elk alert-test` end to end: typed in the Slack emulator, run by a worker against the Elasticsearch
 * simulator through the official client, reported in the job thread with the chart uploaded through Slack's
 * getUploadURLExternal → POST → completeUploadExternal flow. The data is generated web logs with a 5xx spike;
 * the expected matches are what the rule engine computes over the same documents in memory.
 * With Debian's Elastalert installed, the same rule × data also goes through the real Elastalert (parity).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, chartInput } from '../../jobs/alert-test/backtest';
import { chartTexts } from '../../jobs/alert-test/report';
import { selectRules } from '../../jobs/alert-test/select-rules';
import type { AlertTestDeps } from '../../jobs/alert-test/types';
import { PNG_SIGNATURE, pngSize, renderCountsChart } from '../../src/charts/render-counts-chart';
import { createEsClient } from '../../src/elasticsearch/client';
import { ruleDataFor } from '../../src/elasticsearch/rule-data';
import { evaluateRule } from '../../src/rules';
import { elastalertInstalled, runElastalert } from '../../sim/elastalert/run-elastalert';
import { generateLogDocs } from '../../sim/log-docs';
import { uploadsOf } from '../../sim/slack';
import { startHarness, type Harness } from '../helpers/harness';
import { arrayData } from '../rules/array-data';

const FIELD_NOTES = readFileSync(new URL('../fixtures/rules/field-notes/general-spike-5xxs.yaml', import.meta.url), 'utf8');
const SECRET = 'hipchat-s3cr3t-7f1e';
/** Secret only because the config names TEAM_ALIAS in elastalert.secretNames (its name looks like no credential). */
const ALIAS = 'alias-pass-9x3k';
const PROD = { 'general-spike-5xxs.yaml.threshold_cur': '5', KIBANA_URL: 'https://kibana.example.com/app/discover', HIPCHAT_ROOM: 'ops-room', HIPCHAT_TOKEN: SECRET, TEAM_ALIAS: ALIAS };
/** ci: the same values, with CI's daemon settings (elastalert.daemon.ci: every 30 s over a 4-hour buffer). */
const VALUES = { prod: PROD, ci: PROD };
const DAEMON = { ci: { runEvery: '30s', bufferTime: '4h' } };
const FROM = '2024-01-01T10:00:00Z';
const TO = '2024-01-01T12:00:00Z';

/**
 * The field-notes rule as the team would fix it: a fifth arg for `{4}` (the notes meant {3} = timeframe and
 * {4} = reference_count) and a `query_string` clause (the notes' `query: {query: …}` is not a query Elasticsearch
 * knows). Renamed, as Elastalert refuses two rules with one name.
 */
const FIXED = FIELD_NOTES.replace('name: Spike in 5xxs', 'name: Spike in 5xxs (fixed)')
  .replace('      query: "Status: [500 TO 599]"', '      query_string:\n        query: "Status: [500 TO 599]"')
  .replace('- spike_count\n- reference_count', '- spike_count\n- timeframe\n- reference_count');

const docs = generateLogDocs({ count: 3000, from: Date.parse(FROM), to: Date.parse(TO), seed: 11, spike: { at: Date.parse('2024-01-01T11:10:00Z'), durationMs: 10 * 60_000, status5xxRatio: 0.35 } });

describe('/elk alert-test through Slack, a worker and the ES simulator', () => {
  let h: Harness;
  let rulesDir: string;
  beforeAll(async () => {
    rulesDir = mkdtempSync(join(tmpdir(), 'elk-ops-rules-'));
    writeFileSync(join(rulesDir, 'general-spike-5xxs.yaml'), FIELD_NOTES);
    writeFileSync(join(rulesDir, 'spike-5xxs-fixed.yaml'), FIXED);
    // For --all and for masking: a rule whose name carries a secret value, one with a placeholder no environment
    // fills, and a valid rule of a type the bot cannot evaluate.
    writeFileSync(join(rulesDir, 'team-spike.yaml'), FIXED.replace('name: Spike in 5xxs (fixed)', 'name: Spike for @@TEAM_ALIAS@@'));
    writeFileSync(join(rulesDir, 'unresolved.yaml'), 'name: Unresolved\ntype: any\nindex: logstash-*\nalert: debug\nfilter:\n- term: {host: "@@NO_SUCH_HOST@@"}\n');
    writeFileSync(join(rulesDir, 'blocked-users.yaml'), 'name: Blocked users\ntype: blacklist\nindex: logstash-*\nalert: debug\ncompare_key: user\nblacklist: [mallory]\n');
    h = await startHarness({
      estate: { masters: 1, data: 2, speed: 60 },
      worker: 'in-process',
      config: { elastalert: { rulesDir, values: VALUES, secretNames: ['TEAM_ALIAS'], daemon: DAEMON } },
    });
    h.estate!.es.cluster.createIndex('logstash-2024.01.01', { shards: 1, replicas: 0, docs: docs.map((d) => ({ ...d })) });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await h?.estate?.close();
  });

  const jobIdOf = (reply: string) => {
    const m = /queued as `([^`]+)`/.exec(reply);
    if (!m) throw new Error(`no job id in the reply: ${reply}`);
    return m[1];
  };
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  it('reports the {4} of the unfixed rule with the fix, before anything runs', async () => {
    const reply = await h.command('alice', 'alert-test general-spike-5xxs --env prod');
    const jobId = jobIdOf(reply);
    const snap = await h.waitForJob(jobId, { until: 'finished', timeoutMs: 60_000 });
    const text = h.threadText(jobId);
    expect(text).toContain('`general-spike-5xxs.yaml` › `alert_text`');
    expect(text).toMatch(/uses \{4\} but alert_text_args has 4 args \(4 args give \{0\}…\{3\}; use \{3\}, or add a fifth arg to alert_text_args\)/);
    expect(text).toMatch(/Nothing was evaluated/);
    expect(text).not.toContain(SECRET);
    expect(snap.data.state.result).toBeUndefined();
    expect(h.thread(jobId).some((m) => m.files?.length)).toBe(false);
  }, 90_000);

  it('backtests the fixed rule: match times and counts as the engine computes, the rendered text, the chart', async () => {
    // What the engine computes over the same documents in memory (the filter is Status 500–599).
    const { checked } = selectRules({ rules: { dir: rulesDir, values: VALUES }, data: () => { throw new Error('unused'); }, uploadToThread: async () => ({ id: '' }) }, { rule: 'spike-5xxs-fixed', env: 'prod' });
    const rule = checked[0].rule!;
    const fivexx = docs.filter((d) => d.Status >= 500 && d.Status <= 599).map((d) => ({ ts: Date.parse(d['@timestamp']), fields: { ...d } }));
    const expected = await evaluateRule(rule, arrayData(fivexx), { from: Date.parse(FROM), to: Date.parse(TO), timeZone: 'UTC' });
    expect(expected.alerts.length).toBeGreaterThan(0);

    const jobId = jobIdOf(await h.command('alice', `alert-test spike-5xxs-fixed --env prod --from ${FROM} --to ${TO} --sweep spike_height=1.5..4`));
    const snap = await h.waitForJob(jobId, { until: 'completed', timeoutMs: 90_000 });
    const result = snap.data.state.result as { fired: number; alerts: { iso: string; counts: Record<string, number>; text: string }[] };
    expect(result.alerts.map((a) => [a.iso, a.counts.spike_count, a.counts.reference_count])).toEqual(expected.alerts.map((a) => [a.iso, a.counts.spike_count, a.counts.reference_count]));

    const thread = h.threadText(jobId);
    const first = expected.alerts[0];
    expect(thread).toContain(`*Match 1* at \`${first.iso}\`: spike_count ${first.counts.spike_count}, reference_count ${first.counts.reference_count}`);
    // The YAML block scalar's newline plus the one BasicMatchString adds after alert_text (golden-tested in test/rules).
    const rendered = `<a href="https://kibana.example.com/app/discover">5xxs spiked 2x. Was ${first.counts.spike_count} in the last 0:15:00, compared to ${first.counts.reference_count} the previous 0:15:00</a>\n\n`;
    expect(first.text).toBe(rendered);
    expect(result.alerts[0].text).toBe(rendered);
    expect(unescape(thread)).toContain('```' + rendered + '```');
    expect(thread).toMatch(new RegExp(`would have fired ${expected.alerts.length} times? over 2h \\(2024-01-01T10:00:00.000Z → 2024-01-01T12:00:00.000Z\\)`));
    expect(thread).toMatch(/Sweep of `spike_height`[\s\S]*value {2}firings {2}silenced\n {5}1\.5/);
    expect(thread).not.toContain(SECRET);

    // The chart: one message in the thread carrying the uploaded PNG, bytes as rendered.
    const withFile = h.thread(jobId).filter((m) => m.files?.length);
    expect(withFile).toHaveLength(1);
    const file = withFile[0].files![0];
    expect(file).toMatchObject({ mimetype: 'image/png', filetype: 'png', name: 'alert-test-spike-5xxs-fixed.png' });
    const bytes = uploadsOf(h.slack.workspace).bytes(file.id)!;
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.length).toBe(snap.data.state.chartBytes);
    expect(bytes.length).toBeGreaterThan(15_000);
    expect(pngSize(bytes)).toEqual({ width: 900, height: 420 });
    writeFileSync('/tmp/elk-ops-alert-test-chart.png', bytes);
    const calls = h.slack.calls.map((c) => c.method);
    expect(calls).toContain('files.getUploadURLExternal');
    expect(calls).toContain('files.completeUploadExternal');

    if (elastalertInstalled()) {
      // Parity: the real Elastalert 0.2.4 over the same index and range finds the same match times and counts.
      // elastalert-test-rule is one run_rule(start, end) — the engine's catch-up mode — so compare with that.
      const catchUp = await evaluateRule(rule, arrayData(fivexx), { from: Date.parse(FROM), to: Date.parse(TO), mode: 'catch-up', timeZone: 'UTC' });
      const yamlRule = { name: rule.name, type: 'spike', index: 'logstash-*', timeframe: { minutes: 15 }, spike_height: 2, spike_type: 'up', threshold_cur: 5, filter: rule.props.filter, alert_text: 'x' };
      const run = await runElastalert({ esUrl: h.estate!.es.url, rule: yamlRule, start: FROM, end: TO });
      expect(run.errors).toEqual([]);
      expect(run.matches.length).toBeGreaterThan(0);
      console.log(`parity: real Elastalert ${run.matches.length} match(es), engine catch-up ${catchUp.alerts.length}, /elk alert-test (daemon model) ${result.fired}`);
      const norm = (iso: string) => new Date(iso).toISOString();
      expect(run.matches.map((m) => [norm(m.timestamp), m.body.spike_count, m.body.reference_count])).toEqual(
        catchUp.alerts.map((a) => [norm(a.iso), a.counts.spike_count, a.counts.reference_count]),
      );
      // On this data the daemon model (run every minute) sees the same single spike as one catch-up run, so what
      // the thread reported equals the real Elastalert's match as well.
      expect(result.alerts.map((a) => [norm(a.iso), a.counts.spike_count, a.counts.reference_count])).toEqual(
        run.matches.map((m) => [norm(m.timestamp), m.body.spike_count, m.body.reference_count]),
      );
    }
  }, 180_000);

  /** The rules as the job loads them (same folder, values and secret names), for what the engine expects. */
  const ruleNamed = (rule: string, env = 'prod') => {
    const deps: AlertTestDeps = { rules: { dir: rulesDir, values: VALUES, secretNames: ['TEAM_ALIAS'] }, data: () => { throw new Error('unused'); }, uploadToThread: async () => ({ id: '' }) };
    return selectRules(deps, { rule, env }).checked[0].rule!;
  };
  const fivexxEvents = () => docs.filter((d) => d.Status >= 500 && d.Status <= 599).map((d) => ({ ts: Date.parse(d['@timestamp']), fields: { ...d } }));
  /** Everything the bot sent Slack: every Web API call's arguments (messages, updates, file titles, alt texts, comments). */
  const allSlack = () => JSON.stringify(h.slack.calls.map((c) => c.args));

  it('--all: one outcome per rule in the thread — evaluated, an unresolved placeholder, the {4}, an unsupported type', async () => {
    const from = Date.parse(FROM);
    const to = Date.parse(TO);
    const expected = await evaluateRule(ruleNamed('spike-5xxs-fixed'), arrayData(fivexxEvents()), { from, to, timeZone: 'UTC' });
    expect(expected.alerts.length).toBeGreaterThan(0);
    const n = expected.alerts.length;

    const jobId = jobIdOf(await h.command('alice', `alert-test --all --env prod --from ${FROM} --to ${TO}`));
    const snap = await h.waitForJob(jobId, { until: 'completed', timeoutMs: 120_000 });
    const text = h.threadText(jobId);
    // The check step: each rule that cannot be evaluated says why, the unsupported type included.
    expect(text).toContain('unresolved.yaml: @@NO_SUCH_HOST@@ has no value for environment "prod"');
    expect(text).toMatch(/\*Spike in 5xxs\*:\n[\s\S]*uses \{4\} but alert_text_args has 4 args/);
    expect(text).toContain('⏭️ *Blocked users* (`blocked-users.yaml`) is valid, but rule type "blacklist" (blocked-users.yaml) cannot be evaluated by the bot: supported types are spike, frequency, flatline, any.');
    expect(text).toContain('5 rules: 2 to evaluate, 1 of a type the bot cannot evaluate, 2 with errors');
    // The evaluation: one line per rule, over --from/--to (honoured with --all).
    const over = `over 2h (2024-01-01T10:00:00.000Z → 2024-01-01T12:00:00.000Z)`;
    expect(text).toContain(`🔔 *Spike in 5xxs (fixed)* would have fired ${n} time${n === 1 ? '' : 's'} ${over}`);
    expect(text).toContain(`🔔 *Spike for ••••* would have fired ${n} time${n === 1 ? '' : 's'} ${over}`);
    expect(text).toContain('❌ *Spike in 5xxs* (`general-spike-5xxs.yaml`): 2 error(s), not evaluated');
    expect(text).toContain('❌ *unresolved* (`unresolved.yaml`): 1 error(s), not evaluated');
    expect(text).toContain('⏭️ *Blocked users* (`blocked-users.yaml`): type blacklist, which the bot cannot evaluate; not evaluated');
    expect(text).toContain('evaluated 2 of 5 rules');
    expect(snap.data.state.results).toEqual([
      { file: 'spike-5xxs-fixed.yaml', fired: n, from, to },
      { file: 'team-spike.yaml', fired: n, from, to },
    ]);
    expect(allSlack()).not.toContain(ALIAS);
    expect(allSlack()).not.toContain(SECRET);
  }, 150_000);

  it('a secret value in a rule name never reaches Slack: validation, summary, chart title, file title, alt text, the image', async () => {
    const jobId = jobIdOf(await h.command('alice', `alert-test team-spike --env prod --from ${FROM} --to ${TO}`));
    const snap = await h.waitForJob(jobId, { until: 'completed', timeoutMs: 90_000 });
    const text = h.threadText(jobId);
    expect(text).toContain('(*Spike for ••••*, spike) is valid for `prod`');
    expect(text).toMatch(/\*Spike for ••••\* would have fired \d+ times? over 2h/);
    expect(allSlack()).not.toContain(ALIAS);

    const file = h.thread(jobId).find((m) => m.files?.length)!.files![0];
    expect(file.title).toBe('Spike for ••••: matching documents per 5m');
    // The image is the chart drawn with the masked title: the same bytes as rendering it here, and not those of
    // the title with the secret in it.
    const rule = ruleNamed('team-spike');
    expect(rule.name).toBe(`Spike for ${ALIAS}`);
    const range = { from: Date.parse(FROM), to: Date.parse(TO) };
    const es = createEsClient(h.config.clusters[snap.data.cluster].elasticsearch);
    try {
      const r = await backtest(rule, ruleDataFor(es, rule), range);
      const t = chartTexts(rule, r, { cluster: snap.data.cluster, range });
      expect(JSON.stringify(t)).not.toContain(ALIAS);
      const draw = (title: string) => renderCountsChart(chartInput(rule, { series: r.series, intervalMs: r.intervalMs, alerts: r.evaluation.alerts }, title, t.subtitle)).png;
      const bytes = uploadsOf(h.slack.workspace).bytes(file.id)!;
      expect(bytes.equals(draw(t.title))).toBe(true);
      expect(bytes.equals(draw(t.title.replace('••••', ALIAS)))).toBe(false);
    } finally {
      await es.close();
    }
  }, 120_000);

  it("evaluates with the environment's daemon settings (elastalert.daemon.ci: every 30 s over a 4-hour buffer)", async () => {
    const rule = ruleNamed('spike-5xxs-fixed', 'ci');
    const range = { from: Date.parse(FROM), to: Date.parse(TO), timeZone: 'UTC' };
    const ci = await evaluateRule(rule, arrayData(fivexxEvents()), { ...range, runEveryMs: 30_000, bufferTimeMs: 4 * 3_600_000 });
    const byDefault = await evaluateRule(rule, arrayData(fivexxEvents()), range);
    // Not vacuous: a 4-hour buffer re-reads the whole range each run, so num_hits differs from a 15-minute one.
    expect(ci.alerts.map((a) => a.counts)).not.toEqual(byDefault.alerts.map((a) => a.counts));

    const jobId = jobIdOf(await h.command('alice', `alert-test spike-5xxs-fixed --env ci --from ${FROM} --to ${TO}`));
    const snap = await h.waitForJob(jobId, { until: 'completed', timeoutMs: 90_000 });
    const text = h.threadText(jobId);
    expect(text).toContain('daemon run_every 30 s, buffer_time 4h (elastalert.daemon.ci)');
    expect(text).toMatch(/read in 240 runs/);
    const result = snap.data.state.result as { alerts: { iso: string; counts: Record<string, number> }[] };
    expect(result.alerts.map((a) => [a.iso, a.counts])).toEqual(ci.alerts.map((a) => [a.iso, a.counts]));
  }, 120_000);

  it('refuses in the check step, before any query: a rule type the bot cannot evaluate, a --sweep the type ignores', async () => {
    const unsupported = jobIdOf(await h.command('alice', 'alert-test blocked-users --env prod'));
    await h.waitForJob(unsupported, { until: 'finished', timeoutMs: 60_000 });
    const t1 = h.threadText(unsupported);
    expect(t1).toContain('`blocked-users.yaml` (*Blocked users*, blacklist) is valid for `prod`, but rule type "blacklist" (blocked-users.yaml) cannot be evaluated by the bot');
    expect(t1).toContain('Nothing was evaluated.');
    expect(t1).not.toMatch(/Plan the time range|Evaluate the rule/);

    const sweep = jobIdOf(await h.command('alice', `alert-test spike-5xxs-fixed --env prod --from ${FROM} --to ${TO} --sweep num_events=1..5`));
    await h.waitForJob(sweep, { until: 'finished', timeoutMs: 60_000 });
    const t2 = h.threadText(sweep);
    expect(t2).toContain('`--sweep num_events=1..5`: a spike rule does not read num_events (only frequency rules do), so every value would give the same firings; sweep spike_height or threshold_cur or threshold_ref instead');
    expect(t2).not.toMatch(/Evaluate the rule/);
  }, 90_000);
});
