/**
 * An alert thread's first post gets "what moved": the rule's matching documents, current window vs reference,
 * by host, path and status, counted by the simulated cluster (3 shards, so terms are approximate unless the
 * second, exact round does its job) through the official client — and a Discover link for the window and query.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankMoved } from '../../src/alerts/alert-breakdown';
import { chartRange } from '../../src/alerts/alert-chart';
import { RuleBook } from '../../src/alerts/alert-content';
import { movedLine } from '../../src/alerts/breakdown-message';
import { risonString } from '../../src/alerts/kibana-link';
import { createLogger } from '../../src/log';
import { generateLogDocs, type LogDoc } from '../../sim/log-docs';
import { messageText } from '../../sim/slack';
import { OPS_CHANNEL, spikeMatch, startAlertHarness, type AlertHarness } from './alert-harness';

const RULE_NAME = "GET 5xx spike (what's moved)";
const RULE = `name: "GET 5xx spike (what's moved)"
type: spike
index: logstash-*
timeframe:
  minutes: 15
spike_height: 2
spike_type: up
threshold_cur: 5
filter:
- query:
    query_string:
      query: "Status: [500 TO 599]"
- term:
    method.keyword: GET
alert: debug
`;
const SPIKE_AT = Date.parse('2024-01-01T11:10:00Z');
// Steady traffic, plus a burst of failures that lands mostly on one host and one path: that is what "moved".
const base = generateLogDocs({ count: 4000, from: Date.parse('2024-01-01T10:00:00Z'), to: Date.parse('2024-01-01T12:00:00Z'), seed: 21, spike: { at: SPIKE_AT, durationMs: 10 * 60_000, status5xxRatio: 0.2 } });
const burst = generateLogDocs({ count: 300, from: SPIKE_AT, to: SPIKE_AT + 8 * 60_000, seed: 5, hosts: ['api-3'], paths: ['/api/orders', '/checkout'], spike: { at: SPIKE_AT, durationMs: 8 * 60_000, status5xxRatio: 0.9 } });
const docs: LogDoc[] = [...base, ...burst];
const MATCH_TS = SPIKE_AT + 60_000;

/** What the rule matches in (from, to], counted here from the generated documents. */
function countBy(field: keyof LogDoc, from: number, to: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of docs) {
    const t = Date.parse(d['@timestamp']);
    if (t <= from || t > to || d.Status < 500 || d.Status > 599 || d.method !== 'GET') continue;
    out.set(String(d[field]), (out.get(String(d[field])) ?? 0) + 1);
  }
  return out;
}
const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('"what moved" on the first post of an alert thread', () => {
  let a: AlertHarness;
  beforeAll(async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'elk-ops-breakdown-rules-'));
    writeFileSync(join(rulesDir, 'get-5xx-spike.yaml'), RULE);
    a = await startAlertHarness({
      estate: { masters: 1, data: 2, speed: 60 },
      worker: 'in-process',
      alerts: { quietPeriod: '24h' },
      clusterConfig: { kibanaUrl: 'https://kibana.example.com/' },
      elastalert: { rulesDir, routes: { [RULE_NAME]: { channel: OPS_CHANNEL, cluster: 'prod' }, '*': OPS_CHANNEL } },
    });
    a.h.estate!.es.cluster.createIndex('logstash-2024.01.01', { shards: 3, replicas: 0, docs: docs.map((d) => ({ ...d })) });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await a?.h.estate?.close();
  });

  it('posts the breakdown the cluster counted, equal to the in-memory counts, and a Discover link for the window and query', async () => {
    const match = spikeMatch(0, { rule_name: RULE_NAME, '@timestamp': new Date(MATCH_TS).toISOString(), _index: 'logstash-2024.01.01' });
    expect((await a.post('/elastalert/post', match)).status).toBe(202);
    const p = await a.h.slack.waitUntil(() => a.parents().find((m) => messageText(m).includes(RULE_NAME)), { timeoutMs: 15_000, what: 'the alert parent' });
    const reply = await a.h.slack.waitUntil(() => a.h.slack.thread(OPS_CHANNEL, p!.ts).find((m) => messageText(m).includes('What moved')), { timeoutMs: 20_000, what: 'the breakdown' });
    const text = messageText(reply!);

    // The chart's windows: reference (m - 15 min, m], current (m, m + 15 min].
    const rule = new RuleBook(a.h.config, createLogger('test', 'warn')).find(RULE_NAME, 'prod')!;
    const [ref, cur] = chartRange(rule, MATCH_TS).windows!;
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    expect(text).toContain(`${total(countBy('host', ref.from, ref.to))} → ${total(countBy('host', cur.from, cur.to))} matching events (reference ${hhmm(ref.from)}–${hhmm(ref.to)} vs current ${hhmm(cur.from)}–${hhmm(cur.to)} UTC)`);
    const sections = (reply!.blocks as any[]).filter((b) => b.type === 'section').map((b) => b.text.text as string);
    for (const field of ['host', 'path', 'Status'] as const) {
      const expected = rankMoved(countBy(field, cur.from, cur.to), countBy(field, ref.from, ref.to));
      // Five hosts and eight paths move; the rule matches only four 5xx codes.
      expect(expected).toHaveLength(field === 'Status' ? 4 : 5);
      const block = sections.find((t) => t.startsWith(`*${field}*\n`))!;
      expect(block.split('\n').slice(1)).toEqual(expected.map((m) => `• ${movedLine(m)}`));
    }
    // The burst's host leads its field, with the numbers counted here.
    const hosts = rankMoved(countBy('host', cur.from, cur.to), countBy('host', ref.from, ref.to));
    expect(hosts[0].key).toBe('api-3');
    expect(hosts[0].current).toBeGreaterThan(hosts[0].reference + 80);

    const ctx = (reply!.blocks as any[]).find((b) => b.type === 'context');
    const url = /<([^|>]+)\|Open in Kibana Discover>/.exec(ctx.elements[0].text)![1];
    expect(url.startsWith('https://kibana.example.com/app/discover#/?_g=')).toBe(true);
    const decoded = decodeURIComponent(url);
    expect(decoded).toContain(`_g=(time:(from:'${new Date(ref.from).toISOString()}',to:'${new Date(cur.to).toISOString()}'))`);
    // The rule's two filters as Lucene; the rule name's quote would be rison-escaped, the query has none.
    expect(decoded).toContain(`_a=(query:(language:lucene,query:'(Status: [500 TO 599]) AND method.keyword:"GET"'))`);
    expect(url).not.toMatch(/[ |>]/);
    expect(risonString("it's done!")).toBe("'it!'s done!!'");
    expect(a.h.slack.violations).toEqual([]);
  }, 60_000);
});
