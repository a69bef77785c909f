/**
 * Daemon parity (issue #11): `/elk alert-test` evaluates in daemon mode by default — the rule as the running
 * daemon would have seen it, run by run — so that mode is held to the real Elastalert 0.2.4 daemon, not only to
 * `elastalert-test-rule` (one catch-up run; elastalert-parity.test.ts).
 *
 * The real daemon is Debian's own ElastAlerter on our clock (sim/elastalert/clocked-daemon.ts): one process per
 * global config holds every cell's rule, and is told to run at each run_every tick over the data sets' hour, as
 * its scheduler would. Its `post` alerter POSTs each match to a receiver, one path per cell. On the same index,
 * jobs/alert-test backtest() (read-ahead, the job's path) and evaluateRule without read-ahead (one query per
 * segment, as Elastalert queries) must report the same matches, field for field: time, spike_count /
 * reference_count / count, num_hits (every hit of the run's (end − buffer_time, end] query, already-seen
 * documents included; for terms queries the number of buckets), num_matches, the document's own fields — and
 * the same number silenced by realert, and one run per tick.
 * Skips only, loudly, where Elastalert is not installed (CI installs it).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../jobs/alert-test/backtest';
import { ruleDataFor } from '../../src/elasticsearch/rule-data';
import type { Logger } from '../../src/log';
import { evaluateRule, validateRule } from '../../src/rules';
import { parseTimeMapping } from '../../src/rules/validate-rule';
import type { ElasticsearchSimulator } from '../../sim/elasticsearch';
import { startClockedDaemon, type WritebackDoc } from '../../sim/elastalert/clocked-daemon';
import { ELASTALERT_TEST_RULE, elastalertInstalled } from '../../sim/elastalert/run-elastalert';
import { DAEMON_CELLS, type Cell } from './parity-cells';
import { asJson, FROM, ruleOf, startParityCluster, TO, yamlRule } from './parity-setup';

const installed = elastalertInstalled();
if (!installed) console.warn(`\n*** SKIPPING test/parity daemon cells: ${ELASTALERT_TEST_RULE} is missing (apt-get install elastalert; .ci/run does) ***\n`);

const DEFAULT_CONFIG = { run_every: { minutes: 1 }, buffer_time: { minutes: 15 } };

const ms = (t: Record<string, number>) => parseTimeMapping(t) as number;
const configOf = (c: Cell) => ({ ...DEFAULT_CONFIG, ...c.config });
const startOf = (c: Cell) => FROM + (c.startMin ?? 0) * 60_000;
const times = (c: Cell) => ({ runEveryMs: ms(configOf(c).run_every), bufferTimeMs: ms(configOf(c).buffer_time) });


async function startReceiver() {
  const got = new Map<string, Record<string, unknown>[]>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const list = got.get(req.url!) ?? [];
    list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    got.set(req.url!, list);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What the daemon did for one cell. */
interface DaemonResult {
  posted: Record<string, unknown>[];
  /** Its elastalert_status documents: one per rule run. */
  status: Record<string, unknown>[];
  errors: Record<string, unknown>[];
  silenced: number;
}

/** A logger that keeps the daemon's stderr lines (realert's "Ignoring match for silenced rule …" is INFO). */
function keepingLogger(lines: string[]): Logger {
  const keep = (o: unknown) => {
    const line = (o as { elastalert?: string } | undefined)?.elastalert;
    if (line) lines.push(line);
  };
  return { debug: keep, info: () => {}, warn: keep, error: keep, child: () => keepingLogger(lines) } as unknown as Logger;
}

/** One daemon for the cells sharing a global config, run at every tick of its run_every over 10:00–11:00. */
async function runDaemon(esUrl: string, cells: Cell[], receiverUrl: string, posted: Map<string, Record<string, unknown>[]>): Promise<Map<string, DaemonResult>> {
  const lines: string[] = [];
  const rules: Record<string, Record<string, unknown>> = {};
  cells.forEach((c, i) => (rules[`cell-${i}.yaml`] = { ...yamlRule(c), alert: ['post'], http_post_url: `${receiverUrl}/${encodeURIComponent(c.name)}`, http_post_timeout: 10 }));
  const daemon = await startClockedDaemon({ esUrl, rules, config: configOf(cells[0]), log: keepingLogger(lines), timeoutMs: 30_000, deprecatedSearchShim: cells[0].shim });
  const written: WritebackDoc[] = [];
  try {
    expect(daemon.rules.sort()).toEqual(cells.map((c) => c.name).sort());
    const { runEveryMs } = times(cells[0]);
    for (let now = startOf(cells[0]) + runEveryMs; now <= TO; now += runEveryMs) written.push(...(await daemon.run(now)));
  } finally {
    await daemon.close();
  }
  const out = new Map<string, DaemonResult>();
  for (const c of cells) {
    const mine = written.filter(([, body]) => body.rule_name === c.name || body.rule === c.name || (body.data as { rule?: string } | undefined)?.rule === c.name);
    out.set(c.name, {
      posted: posted.get(`/${encodeURIComponent(c.name)}`) ?? [],
      status: mine.filter(([t]) => t === 'elastalert_status').map(([, b]) => b),
      errors: mine.filter(([t]) => t === 'elastalert_error').map(([, b]) => b),
      silenced: lines.filter((l) => {
        const m = /Ignoring match for silenced rule (.*)$/.exec(l);
        return m && (m[1] === c.name || m[1].startsWith(`${c.name}.`));
      }).length,
    });
  }
  return out;
}

describe.skipIf(!installed)('parity with the real Elastalert daemon, run by run over 10:00–11:00', () => {
  let sim: ElasticsearchSimulator;
  let es: Client;
  const real = new Map<string, DaemonResult>();
  beforeAll(async () => {
    ({ sim, es } = await startParityCluster());
    const receiver = await startReceiver();
    try {
      const groups = new Map<string, Cell[]>();
      const group = (c: Cell) => JSON.stringify([configOf(c), !!c.shim, c.startMin ?? 0]);
      for (const c of DAEMON_CELLS) groups.set(group(c), [...(groups.get(group(c)) ?? []), c]);
      const results = await Promise.all([...groups.values()].map((cells) => runDaemon(sim.url, cells, receiver.url, receiver.got)));
      for (const r of results) for (const [k, v] of r) real.set(k, v);
    } finally {
      await receiver.close();
    }
  }, 90_000);
  afterAll(async () => {
    await es?.close();
    await sim?.close();
  });

  it('the daemon cells are not vacuous: each fires, realert silences, num_hits covers the buffer', () => {
    expect(real.size).toBe(DAEMON_CELLS.length);
    for (const [name, r] of real) {
      expect(r.errors, name).toEqual([]);
      expect(r.posted.length, `${name} must fire`).toBeGreaterThan(0);
    }
    expect(real.get('daemon: spike both per host, default realert')!.silenced + real.get('daemon: any per host, default realert')!.silenced).toBeGreaterThan(0);
    // The surge's first match, with a 15-minute buffer: num_hits counts the 5xx of (end − 15 min, end], not the
    // one new document of that run.
    const first = real.get('daemon: spike up, thresholds hit exactly')!.posted[0];
    expect(first).toMatchObject({ spike_count: 10, reference_count: 5 });
    expect(Number(first.num_hits)).toBeGreaterThan(5);
    // Terms queries: num_hits is the number of buckets (one per host with 5xx in the run), never more than 3 here.
    for (const m of real.get('daemon: spike up per host with use_terms_query')!.posted) expect(Number(m.num_hits)).toBeLessThanOrEqual(3);
  });

  it("Debian's daemon as shipped fails every terms query (its deprecated_search refuses python3-elasticsearch 7.17's headers=), and validation says so", async () => {
    const terms = DAEMON_CELLS.find((c) => c.rule.use_terms_query)!;
    const lines: string[] = [];
    const daemon = await startClockedDaemon({ esUrl: sim.url, rules: { 'terms.yaml': { ...yamlRule(terms), alert: ['debug'] } }, config: DEFAULT_CONFIG, log: keepingLogger(lines), timeoutMs: 30_000 });
    let written: WritebackDoc[];
    try {
      written = [...(await daemon.run(FROM + 30 * 60_000)), ...(await daemon.run(FROM + 31 * 60_000))];
    } finally {
      await daemon.close();
    }
    const errors = written.filter(([t]) => t === 'elastalert_error').map(([, b]) => String(b.message));
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toMatch(/deprecated_search\(\) got an unexpected keyword argument 'headers'/);
    const v = validateRule({ file: 'terms.yaml', raw: { ...yamlRule(terms), alert: 'debug' }, imports: [], secretValues: [] });
    expect(v.rule).toBeDefined();
    expect(v.issues).toContainEqual(expect.objectContaining({ key: 'use_terms_query', severity: 'warning', message: expect.stringMatching(/Debian.*TypeError/) }));
  });

  it.each(DAEMON_CELLS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = real.get(c.name)!;
    const rule = ruleOf(c);
    const range = { from: startOf(c), to: TO };
    const theirs = r.posted;
    const ours = await backtest(rule, ruleDataFor(es, rule), range, undefined, times(c));
    expect(ours.evaluation.alerts.map((a) => asJson(a.match))).toEqual(theirs);
    expect(ours.evaluation.silenced.length).toBe(r.silenced);
    expect(ours.evaluation.runs).toBe(r.status.length);

    // Without read-ahead: one query per run (or segment), as the daemon queries.
    const perSegment = await evaluateRule(rule, ruleDataFor(es, rule), { ...range, ...times(c), mode: 'daemon', render: false });
    expect(perSegment.alerts.map((a) => asJson(a.match))).toEqual(theirs);
    expect(perSegment.alerts.map((a) => a.alertedAt)).toEqual(ours.evaluation.alerts.map((a) => a.alertedAt));
  });
});
