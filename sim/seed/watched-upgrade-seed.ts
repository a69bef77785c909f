import { Client } from '@elastic/elasticsearch';
import { startEstate, type Estate, type EstateOptions } from '../estate';
import { watchEstate } from '../watcher/for-estate';
import type { IndexAudit, Watcher, WatchReport } from '../watcher';
import { AckedWriter, type WriterFigures } from './acked-writer';
import { TARGET } from './upgrade-seed';

export { TARGET };

/** What the watcher saw over a run, and the documents it counted against what had to be there. */
export interface WatchedOutcome {
  report: WatchReport;
  audit: IndexAudit[];
  writes: WriterFigures;
  /** Documents that had to be countable at the end: the baseline counted at the start plus acknowledged writes. */
  expectedDocs: number;
  /** Documents the audit could not find, over every index. */
  missingDocs: number;
  /** Instance ids in the groups' "Terminating EC2 instance" activities, one per activity. */
  terminated: string[];
  /** `watcher.violations(...)` with the limits of a safe rolling change: never red, at most one node out. */
  violations: string[];
  /** "documents missing: 0 of 51,230 acknowledged (9 indices)" — the figure with its denominator. */
  documentsLine: string;
}

export interface WatchedEstate {
  estate: Estate;
  watcher: Watcher;
  writer: AckedWriter;
  /** The seeded indices and their sizes, as created. */
  seeded: Record<string, number>;
  /** Counted through the official client when start() ran (refresh, then `_count`): every open index then. */
  baseline(): Record<string, number>;
  /** Counts the baseline, then starts the watcher and the writer. Create any extra index before calling it. */
  start(): Promise<void>;
  /** Stops the writer (its unacknowledged writes drained), audits every index, stops the watcher. Once only. */
  finish(): Promise<WatchedOutcome>;
  close(): Promise<void>;
}

export const WATCHED_NODES = 9;

/**
 * The upgrade estate of `seedEstate` (3 masters and 6 data nodes on 7.17.25 whose launch templates say 8.15.0,
 * ~1.2 GB of logs per data node), but graded from the outside: a watcher that sees the estate only through its
 * public Elasticsearch and AWS endpoints, and an AckedWriter that writes hourly `logstash-*` indices through
 * `_bulk` and counts only what Elasticsearch acknowledged. The documents that must exist at the end are what
 * the official client counted at the start plus those acknowledged writes; nothing is taken from the
 * simulator's own bookkeeping.
 */
export async function seedWatchedEstate(
  o: { speed?: number; esKnobs?: EstateOptions['esKnobs']; awsKnobs?: EstateOptions['awsKnobs']; runId?: string } = {},
): Promise<WatchedEstate> {
  const estate = await startEstate({ speed: o.speed ?? 200, targetVersion: TARGET, esKnobs: o.esKnobs, awsKnobs: o.awsKnobs });
  const seeded: Record<string, number> = { 'logs-2026.11.20': 2000, 'logs-2026.11.21': 2000, 'logs-2026.11.22': 1500, metrics: 800 };
  for (const [name, docs] of Object.entries(seeded)) {
    estate.es.cluster.createIndex(name, { shards: 3, replicas: 1, docs, bytesPerDoc: 1024 * 1024 });
  }
  // The hourly indices get 2 shards and a replica from a template, as a Logstash estate would have one.
  const es = new Client({ node: estate.es.url });
  try {
    await es.indices.putIndexTemplate({
      name: 'logstash',
      index_patterns: ['logstash-*'],
      priority: 1,
      template: { settings: { number_of_shards: 2, number_of_replicas: 1 } },
    });
  } finally {
    await es.close();
  }
  // A health look every two simulated seconds (at least 100 real ms apart) and AWS every twenty: a node is out for
  // minutes of clock time, and the estate shares the test's process (and two cores with the worker processes),
  // so the observer and the writer must not starve the job they grade.
  const watcher = watchEstate(estate, {
    expectedNodes: WATCHED_NODES,
    pollMs: Math.max(100, estate.clock.toReal(2_000)),
    awsPollMs: Math.max(500, estate.clock.toReal(20_000)),
  });
  const writer = new AckedWriter({ url: estate.es.url, now: () => estate.clock.now(), batch: 25, everyMs: 250, runId: o.runId });
  let baseline: Record<string, number> = {};
  let started = false;
  let outcome: WatchedOutcome | undefined;
  return {
    estate,
    watcher,
    writer,
    seeded,
    baseline: () => ({ ...baseline }),
    async start() {
      baseline = await watcher.baseline('*');
      for (const name of Object.keys(seeded)) if (baseline[name] !== seeded[name]) throw new Error(`seeded ${name} counted ${baseline[name]} at the start, not ${seeded[name]}`);
      await watcher.start();
      writer.start();
      started = true;
    },
    async finish() {
      if (outcome) return outcome;
      if (!started) throw new Error('finish() before start()');
      const writes = await writer.stop(8_000);
      const expected = { ...baseline, ...writes.acked };
      const audit = await watcher.auditDocuments(expected);
      await watcher.stop();
      const report = watcher.report();
      const expectedDocs = Object.values(expected).reduce((a, b) => a + b, 0);
      const missingDocs = audit.reduce((a, d) => a + d.missing, 0);
      const acked = Object.values(writes.acked).reduce((a, b) => a + b, 0);
      outcome = {
        report,
        audit,
        writes,
        expectedDocs,
        missingDocs,
        terminated: report.terminations.map((t) => t.instanceId),
        violations: watcher.violations({ maxNodesOut: 1 }),
        documentsLine:
          `documents missing: ${missingDocs.toLocaleString('en-US')} of ${expectedDocs.toLocaleString('en-US')} ` +
          `(${Object.values(baseline).reduce((a, b) => a + b, 0).toLocaleString('en-US')} counted at the start + ${acked.toLocaleString('en-US')} acknowledged writes, ${audit.length} indices)`,
      };
      return outcome;
    },
    async close() {
      await writer.stop(0).catch(() => undefined);
      await watcher.close().catch(() => undefined);
      await estate.close();
    },
  };
}
