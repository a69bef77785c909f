/**
 * An alert thread's first post gets the counts chart (the rule's query, counted per interval on the alert's
 * cluster through the official ES client, uploaded with files.getUploadURLExternal → POST → complete), an
 * alert for a cluster that is not configured opens its thread without one, and `/elk alert-test --post` sends
 * one TEST alert through the same delivery path (alert queue → worker → thread, with its chart).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartRange } from '../../src/alerts/alert-chart';
import { RuleBook } from '../../src/alerts/alert-content';
import { esAlertCounts } from '../../src/alerts/alert-counts';
import { PNG_SIGNATURE, pngSize } from '../../src/charts/render-counts-chart';
import { createLogger } from '../../src/log';
import { generateLogDocs } from '../../sim/log-docs';
import { messageText, uploadsOf, type StoredMessage } from '../../sim/slack';
import { OPS_CHANNEL, spikeMatch, startAlertHarness, type AlertHarness } from './alert-harness';

const FIELD_NOTES = readFileSync(new URL('../fixtures/rules/field-notes/general-spike-5xxs.yaml', import.meta.url), 'utf8');
// The field-notes rule as it runs (a query_string filter, the fifth arg), under the name the alerts carry.
const RULE = FIELD_NOTES.replace('name: Spike in 5xxs', 'name: Spike in 5xxs (charted)')
  .replace('      query: "Status: [500 TO 599]"', '      query_string:\n        query: "Status: [500 TO 599]"')
  .replace('- spike_count\n- reference_count', '- spike_count\n- timeframe\n- reference_count');
const VALUES = { prod: { 'general-spike-5xxs.yaml.threshold_cur': '5', KIBANA_URL: 'https://kibana.example.com/app/discover', HIPCHAT_ROOM: 'ops-room', HIPCHAT_TOKEN: 'hipchat-s3cr3t-2b9c' } };
const SPIKE_AT = Date.parse('2024-01-01T11:10:00Z');
const docs = generateLogDocs({ count: 3000, from: Date.parse('2024-01-01T10:00:00Z'), to: Date.parse('2024-01-01T12:00:00Z'), seed: 11, spike: { at: SPIKE_AT, durationMs: 10 * 60_000, status5xxRatio: 0.35 } });

describe('alert charts and /elk alert-test --post', () => {
  let a: AlertHarness;
  beforeAll(async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'elk-ops-alert-rules-'));
    writeFileSync(join(rulesDir, 'spike-5xxs-charted.yaml'), RULE);
    a = await startAlertHarness({
      estate: { masters: 1, data: 2, speed: 60 },
      worker: 'in-process',
      alerts: { quietPeriod: '24h' },
      elastalert: { rulesDir, values: VALUES, routes: { 'Spike in 5xxs (charted)': { channel: OPS_CHANNEL, cluster: 'prod' }, '*': OPS_CHANNEL } },
    });
    a.h.estate!.es.cluster.createIndex('logstash-2024.01.01', { shards: 1, replicas: 0, docs: docs.map((d) => ({ ...d })) });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await a?.h.estate?.close();
  });

  const parentOf = (rule: string) => a.parents().find((m) => messageText(m).includes(rule));
  const filesIn = (p: StoredMessage) => a.h.slack.thread(OPS_CHANNEL, p.ts).filter((m) => m.files?.length);

  it('uploads a PNG of the counts into the thread of the first post', async () => {
    const match = spikeMatch(0, { rule_name: 'Spike in 5xxs (charted)', '@timestamp': new Date(SPIKE_AT + 60_000).toISOString(), _index: 'logstash-2024.01.01' });
    expect((await a.post('/elastalert/post', match)).status).toBe(202);
    const p = await a.h.slack.waitUntil(() => parentOf('Spike in 5xxs (charted)'), { timeoutMs: 15_000, what: 'the alert parent' });
    const [withFile] = await a.h.slack.waitUntil(() => (filesIn(p!).length ? filesIn(p!) : undefined), { timeoutMs: 20_000, what: 'the chart in the alert thread' });
    const file = withFile.files![0];
    expect(file).toMatchObject({ mimetype: 'image/png', filetype: 'png', name: 'alert-Spike_in_5xxs_charted_.png' });
    expect(withFile.thread_ts).toBe(p!.ts);
    expect(withFile.text).toMatch(/Matching events per 1m on prod around the first match \(reference and current windows shaded\)/);
    const bytes = uploadsOf(a.h.slack.workspace).bytes(file.id)!;
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(bytes).width).toBeGreaterThan(300);
    writeFileSync('/tmp/elk-ops-alert-chart.png', bytes);
    // Counted by the cluster: a date_histogram of the rule's query went to Elasticsearch (no chart without it).
    const calls = a.h.slack.calls.map((c) => c.method);
    expect(calls).toContain('files.getUploadURLExternal');
    expect(calls).toContain('files.completeUploadExternal');
    // Once per thread: a repeat adds a reply, not a second chart.
    expect((await a.post('/elastalert/post', { ...match, _id: 'doc-repeat', spike_count: 30 })).status).toBe(202);
    await a.h.slack.waitUntil(() => /1 more alert/.test(a.h.slack.thread(OPS_CHANNEL, p!.ts).map(messageText).join('\n')), { timeoutMs: 15_000, what: 'the repeat' });
    expect(filesIn(p!)).toHaveLength(1);
    expect(a.h.slack.violations).toEqual([]);
  }, 60_000);

  it('counts per interval on the cluster what the rule matches: the 5xx documents, per (k, k + 1 min] bucket', async () => {
    const rule = new RuleBook(a.h.config, createLogger('test', 'warn')).find('Spike in 5xxs (charted)', 'prod')!;
    const r = chartRange(rule, SPIKE_AT);
    expect(r).toMatchObject({ intervalMs: 60_000, windows: [{ kind: 'reference', from: SPIKE_AT - 900_000, to: SPIKE_AT }, { kind: 'current', from: SPIKE_AT, to: SPIKE_AT + 900_000 }] });
    const series = (await esAlertCounts(a.h.config).counts('prod', rule, r.from, r.to, r.intervalMs))!;
    const expected = series.map((p) => docs.filter((d) => d.Status >= 500 && d.Status <= 599 && Date.parse(d['@timestamp']) > p.ts && Date.parse(d['@timestamp']) <= p.ts + 60_000).length);
    expect(series.map((p) => p.count)).toEqual(expected);
    expect(series).toHaveLength((r.to - r.from) / 60_000);
    // The spike is in the counts: the current window holds more 5xxs than the reference.
    const sum = (f: number, t: number) => series.filter((p) => p.ts >= f && p.ts < t).reduce((n, p) => n + p.count, 0);
    expect(sum(SPIKE_AT, SPIKE_AT + 900_000)).toBeGreaterThan(2 * sum(SPIKE_AT - 900_000, SPIKE_AT));
    expect(await esAlertCounts(a.h.config).counts('staging', rule, r.from, r.to, r.intervalMs)).toBeUndefined();
  }, 30_000);

  it('opens the thread without a chart when the alert names no configured cluster', async () => {
    const match = spikeMatch(1, { rule_name: 'Spike elsewhere', cluster: 'staging' });
    expect((await a.post('/elastalert/post', match)).status).toBe(202);
    const p = await a.h.slack.waitUntil(() => parentOf('Spike elsewhere'), { timeoutMs: 15_000, what: 'the alert parent' });
    // Two flush intervals later there is still no file: the chart was skipped, the alert was not.
    await new Promise((r) => setTimeout(r, 1500));
    expect(filesIn(p!)).toEqual([]);
    expect(messageText(p!)).toMatch(/Cluster\*\nstaging/);
  }, 30_000);

  it('--post sends one TEST alert through delivery, routed as the rule, with its chart', async () => {
    const reply = await a.h.command('alice', 'alert-test spike-5xxs-charted --env prod --from 2024-01-01T10:00:00Z --to 2024-01-01T12:00:00Z --post');
    const jobId = /queued as `([^`]+)`/.exec(reply)![1];
    const snap = await a.h.waitForJob(jobId, { until: 'completed', timeoutMs: 60_000 });
    const result = snap.data.state.result as { alerts: { iso: string }[] };
    const newest = result.alerts[result.alerts.length - 1].iso;
    expect(a.h.threadText(jobId)).toContain(`\`--post\`: sent the match at \`${newest}\` as a TEST alert *[TEST] Spike in 5xxs (charted)* through alert delivery`);
    const p = await a.h.slack.waitUntil(() => parentOf('[TEST] Spike in 5xxs (charted)'), { timeoutMs: 15_000, what: 'the TEST alert parent' });
    const text = messageText(p!);
    expect(text).toMatch(/🧪 \*TEST\* alert sent by <@U0ALICE> with `\/elk alert-test --post`/);
    expect(text).toContain(jobId);
    // Rendered from the rule file, as Elastalert would render the real alert.
    expect(text).toMatch(/5xxs spiked 2x\. Was \d+ in the last 0:15:00/);
    expect(text).toMatch(/Cluster\*\nprod/);
    await a.h.slack.waitUntil(() => filesIn(p!).length === 1, { timeoutMs: 20_000, what: 'the TEST alert chart' });
    // Exactly one alert went through the queue for it, and its group carries no severity (it holds nothing).
    const jobs = await a.queue.getJobs(['completed']);
    const tests = jobs.filter((j) => j.data.alert.test?.job === jobId);
    expect(tests).toHaveLength(1);
    const gid = JSON.parse((p!.blocks as any[]).find((b) => b.type === 'actions').elements[0].value).g;
    expect(await a.groups.get(gid)).toMatchObject({ rule: '[TEST] Spike in 5xxs (charted)', count: 1, severity: '', cluster: 'prod' });
  }, 90_000);
});
