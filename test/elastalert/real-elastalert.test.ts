/**
 * The team's "Spike in 5xxs" rule (field notes) run through the REAL Elastalert 0.2.4 against the simulator.
 * Skips only when Debian's elastalert is not installed (CI installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldNotesSpikeRule } from '../../sim/elastalert/field-notes-spike-rule';
import { scaledClock } from '../../src/clock';
import { startElasticsearchSimulator, type ElasticsearchSimulator } from '../../sim/elasticsearch';
import { ELASTALERT_TEST_RULE, elastalertInstalled, runElastalert } from '../../sim/elastalert/run-elastalert';
import { generateLogDocs } from '../../sim/log-docs';
import { validateRule } from '../../src/rules/validate-rule';

const installed = elastalertInstalled();
if (!installed) console.warn(`\n*** SKIPPING test/elastalert: ${ELASTALERT_TEST_RULE} is missing (apt-get install elastalert; .ci/run does) ***\n`);

const T = (hhmmss: string) => `2024-01-01T${hhmmss}.000Z`;
const at = (t: string) => Date.parse(t);
const MIN = 60_000;

const spikeRule = fieldNotesSpikeRule;

/**
 * Traffic 10:00-11:00: realistic non-5xx noise from generateLogDocs (its own random 5xx removed, so every 5xx
 * is placed here), a steady 5xx every 5 minutes at hh:02, hh:07, ..., hh:57, and a spike of one 5xx every 20 s
 * from 10:40:10 (12 of them), plus two 5xx exactly on the range bounds.
 */
function docs(): Array<Record<string, unknown>> {
  type D = Record<string, unknown>;
  const noise = generateLogDocs({ count: 600, from: at(T('10:00:00')), to: at(T('11:00:00')), seed: 7 }).filter((d) => d.Status < 500);
  const err = (t: number, Status = 503) => ({ '@timestamp': new Date(t).toISOString(), Status, path: '/api/orders', host: 'api-1', method: 'GET', bytes: 0, duration_ms: 900 });
  const steady = Array.from({ length: 12 }, (_, i) => err(at(T('10:02:00')) + i * 5 * MIN, 500 + (i % 4)));
  const spike = Array.from({ length: 12 }, (_, i) => err(at(T('10:40:10')) + i * 20_000, 502));
  return [...noise, ...steady, ...spike, err(at(T('10:00:00'))), err(at(T('11:00:00')))].map((d): D => ({ ...d }));
}

describe.skipIf(!installed)('the real Elastalert against the simulator', () => {
  let sim: ElasticsearchSimulator;
  beforeAll(async () => {
    sim = await startElasticsearchSimulator({ clock: scaledClock(1) });
    sim.cluster.seedNode({ name: 'es-1', ip: '10.0.0.1', version: '7.17.25', roles: ['master', 'data'] });
    sim.cluster.createIndex('logstash-2024.01.01', { shards: 2, replicas: 0, docs: docs() });
    // Another day's index the pattern also covers, empty in the range: must not disturb anything.
    sim.cluster.createIndex('logstash-2023.12.31', { shards: 1, replicas: 0, docs: [] });
  });
  afterAll(async () => sim?.close());

  it('reports the spike once, stamped with the oldest event of the current window, with exact counts', async () => {
    const run = await runElastalert({ esUrl: sim.url, rule: spikeRule, start: T('10:00:00'), end: T('11:00:00'), config: { buffer_time: { minutes: 15 } } });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    // Doc queries are cut into buffer_time segments, each (start, end]: the 5xx at exactly 10:00:00 is outside,
    // the one at exactly 11:00:00 inside.
    expect(run.queries).toEqual([
      { from: '2024-01-01 10:00 UTC', to: '2024-01-01 10:15 UTC', hits: 3 },
      { from: '2024-01-01 10:15 UTC', to: '2024-01-01 10:30 UTC', hits: 3 },
      { from: '2024-01-01 10:30 UTC', to: '2024-01-01 10:45 UTC', hits: 15 },
      { from: '2024-01-01 10:45 UTC', to: '2024-01-01 11:00 UTC', hits: 4 },
    ]);
    expect(run.status).toMatchObject({ matches: 1, hits: 25, starttime: '2024-01-01 10:00:00+00:00', endtime: '2024-01-01 11:00:00+00:00' });
    // Spike windows are event-sized: at the third spike event (10:40:50) the current window (events less than
    // 15 min older than it) holds 10:27, 10:32, 10:37 and three spike events = 6 >= threshold_cur 5 and >= 2 x
    // the reference window (10:12, 10:17, 10:22 = 3; it is sized from its own newest event). The match is the
    // OLDEST event of the current window, 13 minutes before the spike began.
    expect(run.matches).toHaveLength(1);
    // Elastalert's dt_to_ts writes whole seconds without millis ("10:27:00Z"), else millis ("10:27:00.500Z").
    expect(run.matches[0].timestamp).toBe('2024-01-01T10:27:00Z');
    expect(run.matches[0].body).toMatchObject({ spike_count: 6, reference_count: 3, Status: 501, _type: '_doc', _index: 'logstash-2024.01.01', num_hits: 25, num_matches: 1 });
  }, 90_000);

  it('stays silent without a spike: the same steady 5xx rate alone never doubles', async () => {
    const run = await runElastalert({ esUrl: sim.url, rule: { ...spikeRule, filter: [{ query: { query_string: { query: 'Status: [500 TO 599] AND NOT Status:502' } } }] }, start: T('10:00:00'), end: T('11:00:00') });
    expect(run.errors).toEqual([]);
    expect(run.matches).toEqual([]);
    // 26 5xx in range minus the 12 spike events and the steady ones with Status 502 (10:07, 10:27, 10:47).
    expect(run.status).toMatchObject({ matches: 0, hits: 25 - 12 - 3 });
  }, 90_000);

  it("fails on the field notes' own filter, `- query: {query: …}`, which validation refuses before a job runs", async () => {
    const notes = { ...spikeRule, filter: [{ query: { query: 'Status: [500 TO 599]' } }] };
    const run = await runElastalert({ esUrl: sim.url, rule: notes, start: T('10:00:00'), end: T('11:00:00') });
    // Elastalert strips the outer query: (ES >= 5) and sends {query: "Status: …"}; the cluster refuses every query.
    expect(run.errors.join('\n')).toMatch(/Error running query: .*unknown query \[query\]/);
    expect(run.matches).toEqual([]);
    const v = validateRule({ file: 'notes.yaml', raw: { ...notes, alert: 'debug' }, imports: [], secretValues: [] });
    expect(v.rule).toBeUndefined();
    expect(v.issues.map((i) => `${i.key}: ${i.message}`)).toEqual([expect.stringMatching(/^filter\[0\]: .*"unknown query \[query\]".*query_string: \{query: "Status: \[500 TO 599\]"\}/)]);
    // And the fix validation proposes is the filter the first test ran successfully.
    expect(validateRule({ file: 'fixed.yaml', raw: { ...spikeRule, alert: 'debug' }, imports: [], secretValues: [] }).issues).toEqual([]);
  }, 90_000);
});
