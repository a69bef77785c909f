/**
 * `/elk alert-test`'s evaluation vs the real `elastalert-test-rule` (Debian's Elastalert 0.2.4), same rule, same
 * data, same run, alternating: the team's "Spike in 5xxs" rule (fixed as validation says) over 7 days of web logs,
 * 210,000 documents in seven daily indices of the ES simulator, with a few 5xx surges. Reports both wall
 * times per round, the ratio (goal ≤ 0.2), request counts, and whether the matches are identical field for field.
 *
 * Path used by alert-test: per-event windows. A spike rule without use_count_query compares windows sized by
 * events (the current window holds events less than one timeframe older than the newest, the match is its
 * oldest event), so counts per bucket cannot reproduce it exactly; the read-ahead (src/rules/read-ahead.ts)
 * instead reads the whole range in one scroll and answers the engine's 672 buffer_time segments from memory.
 * (use_count_query rules get one date_histogram instead of one count per minute.) Mode: catch-up, i.e. one
 * run_rule over the range, which is what elastalert-test-rule runs, so the two can be compared match for match.
 * Also timed (not compared here): daemon mode, what `/elk alert-test --days 7` runs by default — one run every
 * run_every re-reading buffer_time, 10,080 runs over the week — whose matches test/parity holds to the real
 * Elastalert daemon run by run.
 *
 * Why `use_strftime_index: true` (index `logstash-%Y.%m.%d`): the simulator has no inverted index, each query
 * scans every document of the indices it names (~3 µs each). With `logstash-*` every one of Elastalert's 672
 * segment queries would scan all 210k documents (~0.6 s each, ~7 minutes a run), which measures the simulator,
 * not either tool. Per-day indices are how Logstash writes, and Elastalert's format_index (mirrored in
 * src/elasticsearch/rule-data.ts) then names one day per segment query.
 *
 * Run: npx tsx bench/alert-test-vs-elastalert.ts [rounds=2]
 * bench-timeout: 400s
 */
import { backtest } from '../jobs/alert-test/backtest';
import { scaledClock } from '../src/clock';
import { createEsClient } from '../src/elasticsearch/client';
import { ruleDataFor, type RuleDataStats } from '../src/elasticsearch/rule-data';
import { validateRule } from '../src/rules';
import { startElasticsearchSimulator } from '../sim/elasticsearch';
import { ELASTALERT_TEST_RULE, elastalertInstalled, runElastalert } from '../sim/elastalert/run-elastalert';
import { generateLogDocs } from '../sim/log-docs';

if (!elastalertInstalled()) {
  console.log(`*** SKIPPED: ${ELASTALERT_TEST_RULE} is missing (apt-get install elastalert) ***`);
  process.exit(0);
}
const rounds = Number(process.argv[2] ?? 2);
const DAY = 86_400_000;
const FROM = Date.parse('2024-03-04T00:00:00Z');
const TO = FROM + 7 * DAY;
const PER_DAY = 30_000;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const rule = {
  name: 'Spike in 5xxs',
  type: 'spike',
  index: 'logstash-%Y.%m.%d',
  use_strftime_index: true,
  timeframe: { minutes: 15 },
  spike_height: 2,
  spike_type: 'up',
  threshold_cur: 5,
  // realert 0 so every match is sent and compared field for field (with the default 1 minute, a catch-up run
  // alerts the first match and silences the rest, on wall-clock time).
  realert: { minutes: 0 },
  filter: [{ query: { query_string: { query: 'Status: [500 TO 599]' } } }],
  alert_text_type: 'alert_text_only',
  alert_text: '5xxs spiked {1}x. Was {2} in the last {3}, compared to {4} the previous {3}',
  alert_text_args: ['name', 'spike_height', 'spike_count', 'timeframe', 'reference_count'],
};

const sim = await startElasticsearchSimulator({ clock: scaledClock(1) });
sim.cluster.seedNode({ name: 'es-1', ip: '10.0.0.1', version: '7.17.25', roles: ['master', 'data'] });
let t = performance.now();
let docs = 0;
for (let d = 0; d < 7; d++) {
  const day = FROM + d * DAY;
  // A 5xx surge (35% errors for 20 min) on four of the seven days, at a different hour each.
  const spike = d % 2 === 0 ? { at: day + (3 + 4 * d) * 3_600_000, durationMs: 20 * 60_000, status5xxRatio: 0.35 } : undefined;
  const dayDocs = generateLogDocs({ count: PER_DAY, from: day, to: day + DAY - 1, seed: 100 + d, spike });
  docs += dayDocs.length;
  sim.cluster.createIndex(`logstash-${new Date(day).toISOString().slice(0, 10).replace(/-/g, '.')}`, { shards: 1, replicas: 0, docs: dayDocs as never });
}
const loadMs = performance.now() - t;
console.log(`loaded ${docs} documents into 7 daily indices in ${s(loadMs)} (not timed below)`);

const es = createEsClient({ url: sim.url } as never);
const v = validateRule({ file: 'general-spike-5xxs.yaml', raw: { ...rule, alert: 'debug' }, imports: [], secretValues: [] });
if (!v.rule) throw new Error(`rule does not validate: ${JSON.stringify(v.issues)}`);
const cfg = v.rule;
const json = (x: unknown) => JSON.stringify(x);

const ours: number[] = [];
const daemon: number[] = [];
const theirs: number[] = [];
let identical = true;
let summary = '';
for (let r = 1; r <= rounds; r++) {
  const stats: RuleDataStats = { searches: 0, scrollPages: 0, counts: 0, termsQueries: 0 };
  t = performance.now();
  const res = await backtest(cfg, ruleDataFor(es, cfg, stats), { from: FROM, to: TO }, undefined, { mode: 'catch-up', runEveryMs: 60_000, bufferTimeMs: 15 * 60_000 });
  ours.push(performance.now() - t);

  t = performance.now();
  const asDaemon = await backtest(cfg, ruleDataFor(es, cfg), { from: FROM, to: TO }, undefined, { mode: 'daemon', runEveryMs: 60_000, bufferTimeMs: 15 * 60_000 });
  daemon.push(performance.now() - t);

  t = performance.now();
  const run = await runElastalert({ esUrl: sim.url, rule, start: new Date(FROM), end: new Date(TO), timeoutMs: 300_000 });
  theirs.push(performance.now() - t);
  if (run.errors.length || run.exitCode !== 0) throw new Error(`elastalert-test-rule failed: ${run.errors.join('\n') || run.stderr.slice(-2000)}`);

  const a = res.evaluation.alerts.map((x) => ({ ts: x.iso, body: JSON.parse(json(x.match)) }));
  const b = run.matches.map((m) => ({ ts: m.timestamp, body: m.body }));
  const same = json(a) === json(b) && res.evaluation.silenced.length === run.silenced && res.hits === run.status?.hits;
  identical &&= same;
  const requests = stats.searches + stats.scrollPages + stats.counts;
  summary =
    `matches: alert-test ${a.length} (${res.evaluation.silenced.length} silenced by realert), elastalert ${b.length} (${run.silenced} silenced); ` +
    `5xx documents read: ${res.hits} vs ${String(run.status?.hits)}; ES requests: alert-test ${requests} (${stats.counts} count, ${stats.searches} search, ${stats.scrollPages} scroll pages), elastalert ${run.queries.length} segment queries`;
  console.log(
    `round ${r}: alert-test ${s(ours[r - 1])} (daemon mode ${s(daemon[r - 1])}, ${asDaemon.evaluation.alerts.length} matches), elastalert-test-rule ${s(theirs[r - 1])}, ` +
      `ratio ${(ours[r - 1] / theirs[r - 1]).toFixed(3)} (daemon mode ${(daemon[r - 1] / theirs[r - 1]).toFixed(3)}); identical: ${same}`,
  );
  if (!same) console.log(`  first differing: ours ${json(a.slice(0, 3))}\n  theirs ${json(b.slice(0, 3))}`);
}
const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
console.log(summary);
console.log(
  `RESULT: alert-test ${s(med(ours))} vs elastalert-test-rule ${s(med(theirs))} (median of ${rounds}): ratio ${(med(ours) / med(theirs)).toFixed(3)} (goal ≤ 0.2); ` +
    `daemon mode ${s(med(daemon))}, ratio ${(med(daemon) / med(theirs)).toFixed(3)}; ` +
    `matches identical in ${identical ? 'every' : 'NOT every'} round`,
);
await es.close();
await sim.close();
if (!identical) process.exitCode = 1;
