/**
 * Data sets and rules for the parity matrix (elastalert-parity.test.ts). Every data set lives 10:00–11:00 UTC on
 * 2024-01-01 in its own daily index, with Status-200 noise the rules' filter must drop. Times are chosen so the
 * boundaries are hit exactly: a window count equal to threshold_cur / threshold_ref / ref × spike_height /
 * num_events, and events exactly one timeframe apart (the window holds strictly less than one timeframe).
 *
 * Wall clock: Elastalert's realert compares real time (ts_now), and one test-rule run takes seconds, so within
 * one run a key alerted once stays silenced (realert ≥ 1 minute) — the same as the engine's catch-up run, whose
 * one "now" is the run's end. Cells use either realert 0 (every match alerts) or the default 1 minute (the first
 * match per key alerts, the rest are "silenced"); none uses a realert short enough for the wall clock to matter.
 */
type Doc = Record<string, unknown>;

export const DAY = '2024-01-01';
export const START = `${DAY}T10:00:00Z`;
export const END = `${DAY}T11:00:00Z`;
const at = (hhmmss: string) => Date.parse(`${DAY}T${hhmmss}Z`);
const T0 = at('10:00:00');
const SEC = 1000;
const MIN = 60 * SEC;

const doc = (t: number, Status: number, host = 'web-1'): Doc => ({ '@timestamp': new Date(t).toISOString().replace('.000Z', 'Z'), Status, host, path: '/api/orders' });
/** One event every `every` ms in [from, to). */
const every = (from: number, to: number, everyMs: number, Status = 503, host?: string) => {
  const out: Doc[] = [];
  for (let t = from; t < to; t += everyMs) out.push(doc(t, Status, host));
  return out;
};
/** Status-200 noise, 2 a minute: the filter must drop it (it would change every count if it did not). */
const noise = () => every(T0 + 17 * SEC, T0 + 60 * MIN, 30 * SEC, 200);

export interface DataSet {
  name: string;
  docs: Doc[];
}

export const DATA_SETS: Record<string, DataSet> = {
  /** 5xx every 2 min (5 per 10-min window) until 10:40, one every 30 s 10:40–10:46, then every 2 min again. */
  surge: {
    name: 'surge',
    docs: [...noise(), ...every(T0 + 30 * SEC, at('10:40:00'), 2 * MIN), ...every(at('10:40:15'), at('10:46:00'), 30 * SEC), ...every(at('10:46:30'), at('11:00:00'), 2 * MIN)],
  },
  /** 5xx once a minute until 10:30, silence (a drop to zero) 10:30–10:50, once a minute again. */
  drop: {
    name: 'drop',
    docs: [...noise(), ...every(T0 + 10 * SEC, at('10:30:00'), MIN), ...every(at('10:50:10'), at('11:00:00'), MIN)],
  },
  /** Three hosts at one 5xx per 2 min; web-2 surges to one per 20 s 10:35–10:40; web-3 stops at 10:25. */
  hosts: {
    name: 'hosts',
    docs: [
      ...noise(),
      ...every(T0 + 5 * SEC, at('11:00:00'), 2 * MIN, 503, 'web-1'),
      ...every(T0 + 25 * SEC, at('10:35:00'), 2 * MIN, 502, 'web-2'),
      ...every(at('10:35:00'), at('10:40:00'), 20 * SEC, 502, 'web-2'),
      ...every(at('10:40:25'), at('11:00:00'), 2 * MIN, 502, 'web-2'),
      ...every(T0 + 45 * SEC, at('10:25:00'), 2 * MIN, 500, 'web-3'),
    ],
  },
  /**
   * Bursts for frequency (num_events 5 in 5 min): web-1 gets exactly 5 within 4 min; web-2 gets 4 (one short);
   * web-3 gets 5 whose first and last are exactly 5 min apart (not "within" a 5-minute window).
   */
  bursts: {
    name: 'bursts',
    docs: [
      ...noise(),
      ...every(at('10:10:00'), at('10:14:01'), MIN, 503, 'web-1'),
      ...every(at('10:20:00'), at('10:23:01'), MIN, 503, 'web-2'),
      ...every(at('10:30:00'), at('10:35:01'), 75 * SEC, 503, 'web-3'),
      ...every(at('10:50:00'), at('10:51:00'), 10 * SEC, 503, 'web-1'),
    ],
  },
};

export interface Cell {
  name: string;
  data: keyof typeof DATA_SETS;
  rule: Record<string, unknown>;
  /** Global config for the run (buffer_time, run_every); runElastalert defaults to 15 min / 1 min. */
  config?: { buffer_time?: Record<string, number>; run_every?: Record<string, number> };
  /** Daemon cells: run with clocked-daemon's deprecated_search shim (terms queries fail without it on Debian). */
  shim?: boolean;
  /** Daemon cells: minutes after 10:00 the daemon starts (its first run ends one run_every later). Default 0. */
  startMin?: number;
}

/**
 * The most 5xx events any (t − tf, t] window holds, t an event time: the spike rule's current window never holds
 * more (garbage_collect's placeholders count 0), so threshold_cur one above it can never fire.
 */
export function maxWindowCount(docs: Doc[], tfMs: number): number {
  const ts = docs.filter((d) => (d.Status as number) >= 500).map((d) => Date.parse(String(d['@timestamp']))).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (ts[j] <= ts[i] - tfMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
const SURGE_MAX = maxWindowCount(DATA_SETS.surge.docs, 10 * MIN);

const FIVEXX = [{ query: { query_string: { query: 'Status: [500 TO 599]' } } }];
const spike = (over: Record<string, unknown>) => ({ type: 'spike', timeframe: { minutes: 10 }, spike_height: 2, spike_type: 'up', filter: FIVEXX, realert: { minutes: 0 }, ...over });

export const CELLS: Cell[] = [
  // The surge's first match: 10 events in the current window, 5 in the reference — threshold_cur 10, threshold_ref
  // 5 and 10 = 5 × spike_height 2 all hit exactly (the comparisons are inclusive).
  { name: 'spike up, threshold_cur / threshold_ref / spike_height hit exactly', data: 'surge', rule: spike({ threshold_cur: 10, threshold_ref: 5 }) },
  { name: 'spike up, threshold_cur one above the most the window ever holds', data: 'surge', rule: spike({ threshold_cur: SURGE_MAX + 1 }) },
  { name: 'spike up, threshold_cur the most the window ever holds', data: 'surge', rule: spike({ threshold_cur: SURGE_MAX }) },
  { name: 'spike up, threshold_ref one above', data: 'surge', rule: spike({ threshold_cur: 10, threshold_ref: 6 }) },
  { name: 'spike up, spike_height just above 2', data: 'surge', rule: spike({ threshold_cur: 10, threshold_ref: 5, spike_height: 2.01 }) },
  { name: 'spike down (placeholders at segment ends see the drop)', data: 'drop', rule: spike({ spike_type: 'down', spike_height: 3 }) },
  { name: 'spike both, with threshold_ref, default realert', data: 'drop', rule: spike({ spike_type: 'both', threshold_ref: 5, realert: undefined }) },
  { name: 'spike up on a flat period (web-1 alone, steady): never', data: 'hosts', rule: spike({ threshold_cur: 1, filter: [{ query: { query_string: { query: 'Status: [500 TO 599] AND host:"web-1"' } } }] }) },
  { name: 'spike up per host (query_key), realert 0', data: 'hosts', rule: spike({ query_key: 'host', threshold_cur: 5 }) },
  { name: 'spike both per host, default realert (first per key)', data: 'hosts', rule: spike({ query_key: 'host', spike_type: 'both', threshold_cur: 3, realert: undefined }) },
  { name: 'frequency per host, num_events exactly reached', data: 'bursts', rule: { type: 'frequency', num_events: 5, timeframe: { minutes: 5 }, query_key: 'host', filter: FIVEXX, realert: { minutes: 0 } } },
  { name: 'flatline, threshold 3 in 10 min', data: 'drop', rule: { type: 'flatline', threshold: 3, timeframe: { minutes: 10 }, filter: FIVEXX, realert: { minutes: 0 } } },
  { name: 'flatline per host (query_key)', data: 'hosts', rule: { type: 'flatline', threshold: 2, timeframe: { minutes: 10 }, query_key: 'host', filter: FIVEXX, realert: { minutes: 0 } } },
  { name: 'any per host, default realert', data: 'bursts', rule: { type: 'any', query_key: 'host', filter: FIVEXX } },
  { name: 'spike up with use_count_query (1-minute counts)', data: 'surge', rule: spike({ use_count_query: true, doc_type: '_doc', threshold_cur: 6 }) },
  { name: 'flatline with use_count_query', data: 'drop', rule: { type: 'flatline', threshold: 5, timeframe: { minutes: 10 }, use_count_query: true, doc_type: '_doc', filter: FIVEXX, realert: { minutes: 0 } } },
];

/**
 * Cells for the daemon parity (elastalert-daemon-parity.test.ts): the real daemon, run by run on the data's clock,
 * against `/elk alert-test`'s default daemon mode. The first group runs with the example config (run_every 1 min,
 * buffer_time 15 min); the others with a CI-like config (runs every 30 s over a 4-hour buffer) and a buffer
 * shorter than run_every (the daemon then queries from the previous end, and its first run misses the start).
 */
const CI = { run_every: { seconds: 30 }, buffer_time: { hours: 4 } };
const SHORT_BUFFER = { run_every: { minutes: 5 }, buffer_time: { minutes: 2 } };
const frequencyPerHost = { type: 'frequency', num_events: 5, timeframe: { minutes: 5 }, query_key: 'host', filter: FIVEXX, realert: { minutes: 0 } };
export const DAEMON_CELLS: Cell[] = [
  { name: 'daemon: spike up, thresholds hit exactly', data: 'surge', rule: spike({ threshold_cur: 10, threshold_ref: 5 }) },
  { name: 'daemon: spike down', data: 'drop', rule: spike({ spike_type: 'down', spike_height: 3 }) },
  { name: 'daemon: spike both with threshold_ref, default realert', data: 'drop', rule: spike({ spike_type: 'both', threshold_ref: 5, realert: undefined }) },
  { name: 'daemon: spike up per host (query_key)', data: 'hosts', rule: spike({ query_key: 'host', threshold_cur: 5 }) },
  { name: 'daemon: spike both per host, default realert', data: 'hosts', rule: spike({ query_key: 'host', spike_type: 'both', threshold_cur: 3, realert: undefined }) },
  { name: 'daemon: frequency per host', data: 'bursts', rule: frequencyPerHost },
  { name: 'daemon: flatline', data: 'drop', rule: { type: 'flatline', threshold: 3, timeframe: { minutes: 10 }, filter: FIVEXX, realert: { minutes: 0 } } },
  { name: 'daemon: any per host, default realert', data: 'bursts', rule: { type: 'any', query_key: 'host', filter: FIVEXX } },
  { name: 'daemon: spike up with use_count_query', data: 'surge', rule: spike({ use_count_query: true, doc_type: '_doc', threshold_cur: 6 }) },
  {
    name: 'daemon: spike up per host with use_terms_query',
    data: 'hosts',
    rule: spike({ use_terms_query: true, query_key: 'host.keyword', doc_type: '_doc', threshold_cur: 3 }),
    shim: true,
  },
  { name: 'daemon (CI: every 30 s, 4 h buffer): spike up', data: 'surge', rule: spike({ threshold_cur: 10, threshold_ref: 5 }), config: CI },
  { name: 'daemon (CI: every 30 s, 4 h buffer): frequency per host', data: 'bursts', rule: frequencyPerHost, config: CI },
  // Started in the middle of the data: the first run reads 15 minutes back (10:16–10:31), so the rule has the
  // two timeframes of history the surge at 10:40 needs; a daemon that started empty at 10:30 would not fire.
  { name: 'daemon started at 10:30: spike up, the first run reads buffer_time back', data: 'surge', rule: spike({ threshold_cur: 10, threshold_ref: 5 }), startMin: 30 },
  { name: 'daemon (every 5 min, 2 min buffer): spike up per host', data: 'hosts', rule: spike({ query_key: 'host', threshold_cur: 3 }), config: SHORT_BUFFER },
];
