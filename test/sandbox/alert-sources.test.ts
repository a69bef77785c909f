/**
 * The sandbox's two stand-ins for the Elastalert daemon, run minute by minute over the same live access logs:
 * the real daemon (Debian's 0.2.4 on the sandbox clock) and the elk-ops rule engine must POST the same alerts to
 * the bot's webhook. Where they disagree, the engine is wrong. Skips the real half only where elastalert is
 * not installed (CI installs it).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema';
import { createLogger } from '../../src/log';
import { scaledClock } from '../../src/clock';
import { startElasticsearchSimulator, type ElasticsearchSimulator } from '../../sim/elasticsearch';
import { elastalertInstalled } from '../../sim/elastalert/run-elastalert';
import { generateLogDocs } from '../../sim/log-docs';
import { startElastalertRuns } from '../../sim/sandbox/elastalert-runs';
import { startEngineRuns } from '../../sim/sandbox/engine-runs';
import type { RuleRuns, RuleRunsOptions } from '../../sim/sandbox/rule-runs';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 10);
const SECRET = 'sources-secret';
const RULES = fileURLToPath(new URL('../../sim/sandbox/rules', import.meta.url));
const installed = elastalertInstalled();

/** Steady traffic 10:00–11:00 (120 docs/min, 1 % 5xx) and two spikes of mostly-5xx requests, 10:30–10:34 and 10:48–10:54. */
function accessLogs() {
  const steady = generateLogDocs({ count: 120 * 60, from: T0, to: T0 + 60 * MIN, seed: 11 });
  const spike = (fromMin: number, minutes: number, seed: number) =>
    generateLogDocs({ count: 600 * minutes, from: T0 + fromMin * MIN, to: T0 + (fromMin + minutes) * MIN, seed, spike: { at: T0 + fromMin * MIN, durationMs: minutes * MIN, status5xxRatio: 0.6 } });
  return [...steady, ...spike(30, 4, 12), ...spike(48, 6, 13)].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
}

interface Received {
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

async function startReceiver() {
  const got: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    got.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers });
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Writes the logs up to each minute's end, then runs the rules at that minute, as the sandbox's loop does. */
async function runMinuteByMinute(sim: ElasticsearchSimulator, index: string, start: (o: RuleRunsOptions) => Promise<RuleRuns> | RuleRuns, o: RuleRunsOptions) {
  sim.cluster.deleteIndex(index); // the other source's run left it
  sim.cluster.createIndex(index, { shards: 1, replicas: 0, docs: [] });
  const docs = accessLogs();
  const runs = await start(o);
  let written = 0;
  let accepted = 0;
  try {
    // 20 minutes of history before the first run, as the sandbox seeds it.
    for (let end = T0 + 20 * MIN; end <= T0 + 60 * MIN; end += MIN) {
      const upTo = docs.findIndex((d) => Date.parse(d['@timestamp']) >= end);
      const batch = docs.slice(written, upTo < 0 ? docs.length : upTo);
      written += batch.length;
      sim.cluster.indexDocs(index, batch.map((d) => ({ ...d })), { refresh: true });
      accepted += await runs.run(end);
    }
  } finally {
    await runs.close();
  }
  return accepted;
}

describe('the sandbox alert sources', () => {
  let sim: ElasticsearchSimulator;
  let config: Config;
  beforeAll(async () => {
    sim = await startElasticsearchSimulator({ clock: scaledClock(1) });
    sim.cluster.seedNode({ name: 'es-1', ip: '10.0.0.1', version: '7.17.25', roles: ['master', 'data'] });
    config = configSchema.parse({
      slack: { botToken: 'xoxb-x', signingSecret: 's' },
      clusters: { sandbox: { opsChannel: 'C0OPS', elasticsearch: { url: sim.url } } },
      elastalert: { rulesDir: RULES, webhookSecret: SECRET },
    });
  });
  afterAll(async () => sim?.close());

  const options = (botUrl: string): RuleRunsOptions => ({ config, cluster: 'sandbox', botUrl, secret: SECRET, log: createLogger('alert-sources', 'warn') });
  /** The whole body but its _id: the simulator gives each run's copy of the logs ids of its own. */
  const withoutId = (r: Received) => ({ ...r.body, _id: undefined });

  it.skipIf(!installed)('the real daemon and the rule engine POST the same alerts, with the secret, to the webhook', async () => {
    const real = await startReceiver();
    const ours = await startReceiver();
    try {
      const realAccepted = await runMinuteByMinute(sim, 'logstash-2024.01.01.10', startElastalertRuns, options(real.url));
      const oursAccepted = await runMinuteByMinute(sim, 'logstash-2024.01.01.10', startEngineRuns, options(ours.url));

      expect(real.got.length, 'the spike must fire').toBeGreaterThan(0);
      expect(realAccepted).toBe(real.got.length);
      for (const r of real.got) {
        expect(r.headers['x-elk-ops-secret']).toBe(SECRET);
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.body).toMatchObject({ rule_name: 'Spike in 5xxs', cluster: 'sandbox' });
      }
      // Fired inside the spike, with counts that cross the rule's thresholds.
      const first = real.got[0].body;
      expect(Date.parse(String(first['@timestamp']))).toBeGreaterThanOrEqual(T0 + 25 * MIN);
      expect(Date.parse(String(first['@timestamp']))).toBeLessThan(T0 + 38 * MIN);
      expect(Number(first.spike_count)).toBeGreaterThanOrEqual(30);
      expect(Number(first.spike_count)).toBeGreaterThanOrEqual(2 * Number(first.reference_count));

      // Both spikes, each once; every field of the match as Elastalert sent it, num_hits included.
      expect(real.got).toHaveLength(2);
      expect(ours.got.map(withoutId)).toEqual(real.got.map(withoutId));
      expect(oursAccepted).toBe(realAccepted);
    } finally {
      await real.close();
      await ours.close();
    }
  }, 120_000);

  it('the rule engine alone fires on the spike where Elastalert is not installed', async () => {
    const ours = await startReceiver();
    try {
      const accepted = await runMinuteByMinute(sim, 'logstash-2024.01.01.10', startEngineRuns, options(ours.url));
      expect(accepted).toBeGreaterThan(0);
      expect(ours.got[0].headers['x-elk-ops-secret']).toBe(SECRET);
      expect(ours.got[0].body).toMatchObject({ rule_name: 'Spike in 5xxs', cluster: 'sandbox' });
    } finally {
      await ours.close();
    }
  });
});

describe('SANDBOX_ALERTS', () => {
  it('takes elastalert or engine, defaults to what is installed, and refuses anything else saying what it takes', async () => {
    const { alertSourceFrom } = await import('../../sim/sandbox/alert-loop');
    expect(alertSourceFrom(undefined)).toBe(installed ? 'elastalert' : 'engine');
    expect(alertSourceFrom('engine')).toBe('engine');
    expect(() => alertSourceFrom('yelp')).toThrow(/SANDBOX_ALERTS=yelp: use elastalert .* or engine/);
  });

  it('writes rules back with their Python float types, so the daemon reads spike_height 2.0 as a float', async () => {
    const { ruleYaml } = await import('../../sim/elastalert/elastalert-config');
    const { PyFloat } = await import('../../src/rules/py-values');
    expect(ruleYaml({ spike_height: new PyFloat(2), threshold_cur: 30, timeframe: { minutes: 5 }, filter: [{ term: { a: 'x"y' } }] })).toBe(
      '{"spike_height": 2.0, "threshold_cur": 30, "timeframe": {"minutes": 5}, "filter": [{"term": {"a": "x\\"y"}}]}',
    );
  });
});
