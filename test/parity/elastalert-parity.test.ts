/**
 * Parity matrix (issue #11): for each rule × data set in parity-cells.ts, `/elk alert-test`'s evaluation —
 * jobs/alert-test backtest(), i.e. the engine with read-ahead over RuleData on the ES simulator, in catch-up mode
 * (one run_rule over the range, which is what elastalert-test-rule runs) — reports the same matches as Debian's
 * real Elastalert 0.2.4 `elastalert-test-rule` on the same index: the same number, the same match documents
 * field for field (timestamp as Elastalert writes it, spike_count / reference_count / count, num_hits,
 * num_matches, the event's own fields and _id), and the same number silenced by realert.
 * Also: the engine without read-ahead (one query per segment, as Elastalert queries) gives the same result.
 * Skips only, loudly, when /usr/bin/elastalert-test-rule is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@elastic/elasticsearch';
import { backtest } from '../../jobs/alert-test/backtest';
import { ruleDataFor } from '../../src/elasticsearch/rule-data';
import { evaluateRule } from '../../src/rules';
import type { ElasticsearchSimulator } from '../../sim/elasticsearch';
import { ELASTALERT_TEST_RULE, elastalertInstalled, runElastalert, type ElastalertRun } from '../../sim/elastalert/run-elastalert';
import { CELLS, END, START } from './parity-cells';
import { asJson, FROM, ruleOf, startParityCluster, TO, yamlRule } from './parity-setup';

const installed = elastalertInstalled();
if (!installed) console.warn(`\n*** SKIPPING test/parity: ${ELASTALERT_TEST_RULE} is missing (apt-get install elastalert; .ci/run does) ***\n`);

const BUFFER_MS = 15 * 60_000;
const RUN_EVERY_MS = 60_000;




/** At most `n` python processes at once (2 cores, shared). */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

describe.skipIf(!installed)('parity with the real elastalert-test-rule (catch-up run over 10:00–11:00)', () => {
  let sim: ElasticsearchSimulator;
  let es: Client;
  const real = new Map<string, ElastalertRun>();
  beforeAll(async () => {
    ({ sim, es } = await startParityCluster());
    const runs = await pool(CELLS, 2, (c) => runElastalert({ esUrl: sim.url, rule: yamlRule(c), start: START, end: END, config: c.config }));
    CELLS.forEach((c, i) => real.set(c.name, runs[i]));
  }, 80_000);
  afterAll(async () => {
    await es?.close();
    await sim?.close();
  });

  it('the matrix is not vacuous: exact boundaries fire, one past them does not, and realert silences', () => {
    const n = (name: string) => real.get(name)!.matches.length;
    expect(real.size).toBe(CELLS.length);
    for (const r of real.values()) expect(r.errors).toEqual([]);
    const first = (name: string) => real.get(name)!.matches[0]?.body;
    expect(first('spike up, threshold_cur / threshold_ref / spike_height hit exactly')).toMatchObject({ spike_count: 10, reference_count: 5 });
    // One past each boundary, the first match moves on (or never comes): the exact value was what fired.
    expect(n('spike up, threshold_cur one above the most the window ever holds')).toBe(0);
    expect(n('spike up, threshold_cur the most the window ever holds')).toBeGreaterThan(0);
    expect(first('spike up, threshold_ref one above')!.reference_count).toBeGreaterThanOrEqual(6);
    expect(first('spike up, spike_height just above 2')!.spike_count).toBeGreaterThanOrEqual(11);
    expect(n('spike up on a flat period (web-1 alone, steady): never')).toBe(0);
    expect(n('spike down (placeholders at segment ends see the drop)')).toBeGreaterThan(0);
    expect(n('frequency per host, num_events exactly reached')).toBeGreaterThan(0);
    expect(n('flatline, threshold 3 in 10 min')).toBeGreaterThan(0);
    expect(n('spike up with use_count_query (1-minute counts)')).toBeGreaterThan(0);
    expect(n('flatline with use_count_query')).toBeGreaterThan(0);
    const qk = real.get('spike both per host, default realert (first per key)')!;
    expect(new Set(qk.matches.map((m) => m.body.host)).size).toBe(qk.matches.length);
    expect([...real.values()].reduce((s, r) => s + r.silenced, 0)).toBeGreaterThan(0);
    // Frequency boundaries: web-1 (5 within 4 min) fires, web-2 (4) and web-3 (5 spread over exactly 5 min) do not.
    expect(real.get('frequency per host, num_events exactly reached')!.matches.map((m) => m.body.host)).toEqual(['web-1', 'web-1']);
  });

  it.each(CELLS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const run = real.get(c.name)!;
    expect(run.exitCode).toBe(0);
    const rule = ruleOf(c);
    const range = { from: FROM, to: TO };
    const r = await backtest(rule, ruleDataFor(es, rule), range, undefined, { mode: 'catch-up', runEveryMs: RUN_EVERY_MS, bufferTimeMs: BUFFER_MS });
    const ours = r.evaluation.alerts.map((a) => ({ ts: a.iso, body: asJson(a.match) }));
    const theirs = run.matches.map((m) => ({ ts: m.timestamp, body: m.body }));
    expect(ours).toEqual(theirs);
    expect(r.evaluation.silenced.length).toBe(run.silenced);
    // hits in Elastalert's status document = documents the run read (for count queries, the counts' sum).
    expect(r.hits).toBe(run.status?.hits);

    // Read-ahead changes how often Elasticsearch is asked, not what the engine sees.
    const perSegment = await evaluateRule(rule, ruleDataFor(es, rule), { ...range, mode: 'catch-up', runEveryMs: RUN_EVERY_MS, bufferTimeMs: BUFFER_MS, render: false });
    expect(perSegment.alerts.map((a) => ({ ts: a.iso, body: asJson(a.match) }))).toEqual(ours);
  });
});
