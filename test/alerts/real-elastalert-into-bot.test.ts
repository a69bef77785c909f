/**
 * The real Elastalert 0.2.4 (Debian's) runs the team's "Spike in 5xxs" rule against the Elasticsearch simulator,
 * and its own HTTPPostAlerter posts the match into the bot's webhook with the secret header (and its SlackAlerter
 * into the Slack-format webhook with the secret in the path): the alert thread must appear, with the spike's numbers and the alert_text rendered from the bot's copy of the rule.
 * Skips only when Debian's elastalert is not installed (CI installs it).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { fieldNotesSpikeRule } from '../../sim/elastalert/field-notes-spike-rule';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src/clock';
import { startElasticsearchSimulator, type ElasticsearchSimulator } from '../../sim/elasticsearch';
import { startClockedDaemon } from '../../sim/elastalert/clocked-daemon';
import { ELASTALERT_TEST_RULE, elastalertInstalled, runElastalert } from '../../sim/elastalert/run-elastalert';
import { createLogger } from '../../src/log';
import { messageText } from '../../sim/slack';
import { OPS_CHANNEL, startAlertHarness, WEBHOOK_SECRET, type AlertHarness } from './alert-harness';

const installed = elastalertInstalled();
if (!installed) console.warn(`\n*** SKIPPING test/alerts/real-elastalert-into-bot: ${ELASTALERT_TEST_RULE} is missing (apt-get install elastalert) ***\n`);

const T = (hhmmss: string) => `2024-01-01T${hhmmss}.000Z`;
const MIN = 60_000;

const spikeRule = fieldNotesSpikeRule;

/** A steady 5xx every 5 minutes, then one every 20 s from 10:40:10: one spike match (6 vs 3). */
function docs(): Record<string, unknown>[] {
  const err = (t: number, Status = 503) => ({ '@timestamp': new Date(t).toISOString(), Status, path: '/api/orders', host: 'api-1', method: 'GET' });
  const steady = Array.from({ length: 12 }, (_, i) => err(Date.parse(T('10:02:00')) + i * 5 * MIN, 500 + (i % 4)));
  const spike = Array.from({ length: 12 }, (_, i) => err(Date.parse(T('10:40:10')) + i * 20_000, 502));
  return [...steady, ...spike];
}

describe.skipIf(!installed)('the real Elastalert posting into the bot', () => {
  let sim: ElasticsearchSimulator;
  let a: AlertHarness;
  beforeAll(async () => {
    sim = await startElasticsearchSimulator({ clock: scaledClock(1) });
    sim.cluster.seedNode({ name: 'es-1', ip: '10.0.0.1', version: '7.17.25', roles: ['master', 'data'] });
    sim.cluster.createIndex('logstash-2024.01.01', { shards: 2, replicas: 0, docs: docs() });
    const rulesDir = mkdtempSync(join(tmpdir(), 'elk-ops-rules-'));
    // The bot's copy of the rule file, as deployed: the same rule with its post alerter (only the URL changed).
    writeFileSync(join(rulesDir, 'spike-5xxs.yaml'), yaml.dump({ ...spikeRule, alert: ['post'], http_post_url: 'https://elk-ops.example.com/elastalert/post' }));
    a = await startAlertHarness({ worker: 'in-process', elastalert: { rulesDir } });
  });
  afterAll(async () => {
    await a?.close();
    await sim?.close();
  });

  it('opens an alert thread from Elastalert\'s own HTTP POST', async () => {
    const run = await runElastalert({
      esUrl: sim.url,
      rule: { ...spikeRule, http_post_headers: { 'X-Elk-Ops-Secret': WEBHOOK_SECRET }, http_post_static_payload: { rule_name: 'Spike in 5xxs', cluster: 'prod' } },
      alsoPostTo: [`${a.base}/elastalert/post`],
      start: T('10:00:00'),
      end: T('11:00:00'),
      config: { buffer_time: { minutes: 15 } },
    });
    // Elastalert raises on a non-2xx answer (raise_for_status), so no error means the bot said 2xx.
    expect(run.errors).toEqual([]);
    expect(run.matches).toHaveLength(1);
    const parent = await a.h.slack.waitUntil(() => a.parents()[0], { timeoutMs: 15_000, what: 'the alert parent' });
    const text = messageText(parent);
    expect(text).toMatch(/Spike in 5xxs/);
    expect(text).toMatch(/Spike:\* 6 now vs 3 before · height 2× · timeframe 15 minutes/);
    // Rendered by src/rules from the bot's copy of the rule, as Elastalert would.
    expect(text).toContain('5xxs spiked 2x. Was 6 in the last window, compared to 3 before');
    expect(text).toMatch(/Status codes:\* `501` ×1/);
    expect(text).toMatch(/Cluster\*\nprod/);
    expect(a.h.slack.thread(OPS_CHANNEL, parent.ts)).toHaveLength(1);
    expect(a.h.slack.violations).toEqual([]);
  }, 120_000);

  it('opens an alert thread from Elastalert\'s own Slack alerter, run by its daemon over the same logs', async () => {
    // The rule as a team has it with Elastalert's slack alerter; only slack_webhook_url now points at the bot.
    const slackRule = { ...spikeRule, name: 'Spike in 5xxs (slack)', alert: ['slack'], slack_webhook_url: `${a.base}/elastalert/slack/${WEBHOOK_SECRET}?cluster=prod`, slack_username_override: 'elastalert' };
    const daemon = await startClockedDaemon({ esUrl: sim.url, rules: { 'spike-slack.yaml': slackRule }, log: createLogger('real-elastalert-slack', 'warn') });
    const written: Array<[string, Record<string, unknown>]> = [];
    try {
      for (let t = Date.parse(T('10:20:00')); t <= Date.parse(T('11:00:00')); t += MIN) written.push(...(await daemon.run(t)));
    } finally {
      await daemon.close();
    }
    // Elastalert records each alert it sent, and that it raised on no answer (SlackAlerter raises on a non-2xx).
    const sent = written.filter(([type]) => type === 'elastalert');
    expect(sent.map(([, b]) => b.alert_sent)).toEqual([true]);
    expect(written.filter(([type]) => type === 'elastalert_error')).toEqual([]);
    const parent = await a.h.slack.waitUntil(() => a.parents().find((m) => messageText(m).includes('Spike in 5xxs (slack)')), { timeoutMs: 15_000, what: 'the slack-alerter parent' });
    const text = messageText(parent);
    expect(text).toMatch(/Cluster\*\nprod/);
    // The slack alerter's body is the rendered alert text: it is shown as Elastalert rendered it.
    expect(text).toContain('5xxs spiked 2x. Was 6 in the last window, compared to 3 before');
    expect(a.h.slack.violations).toEqual([]);
  }, 120_000);
});
