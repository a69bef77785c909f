import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive, type DriveResult } from '../../../bench/reindex-drive';
import { indexSteps } from '../../../jobs/reindex/steps';
import { startEstate } from '../../../sim/estate';
import { depsFor, leftovers, putLogsTemplate, type EstateForReindex } from './fixture';

const KNOBS = { refreshLagMs: 800, staleReadMs: 10_000, reindexDocsPerSec: 2_000 };
const DOCS = 3_000;
const PER_INDEX = indexSteps({ name: 'x', temp: 'x-r', docs: 0, bytes: 0 }).map((s) => s.name.slice(2));
const BOUNDARIES = [
  'plan:after',
  'approve-run:before',
  'approve-run:after',
  ...PER_INDEX.flatMap((s) => [`<i>/${s}:before`, `<i>/${s}:after`]),
  '<i>/follow-copy:during',
];

describe('reindex resumes after a crash at any step boundary', () => {
  let estate: EstateForReindex;
  beforeAll(async () => {
    estate = (await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: 100, esKnobs: KNOBS })) as EstateForReindex;
    await putLogsTemplate(estate.es.url);
  });
  afterAll(() => estate.close());

  let n = 0;
  it.each(BOUNDARIES.flatMap((b) => [[b, 'clone'], [b, 'reindex']] as const).concat([['<i>/restore-name:during', 'reindex']]))(
    'crash at %s (%s path) loses and duplicates nothing, leaves nothing behind, asks nothing twice',
    async (boundary, via) => {
      const { cluster } = estate.es;
      const name = `logs-crash-${String.fromCharCode(97 + Math.floor(n / 26))}${String.fromCharCode(97 + (n++ % 26))}`;
      cluster.createIndex(name, { shards: 2, replicas: 1, docs: DOCS });
      const crashAt = boundary.replace('<i>', name);
      const base = { deps: depsFor(estate), clock: estate.clock, jobId: `job-${name}`, args: { expression: name, restoreVia: via } } as const;

      const first = await drive({ ...base, crashAt });
      expect(first.outcome, first.stopText).toBe('crashed');
      const second: DriveResult = await drive({ ...base, data: first.data, approvals: first.approvals });

      expect(second.outcome, second.stopText).toBe('completed');
      expect(cluster.trueDocCount(name)).toBe(DOCS);
      expect(leftovers(cluster, [name])).toEqual({ temps: [], missing: [], blocked: [] });
      // Every approval was asked once, across both runs.
      const asked = [...first.asked, ...second.asked];
      expect(new Set(asked).size).toBe(asked.length);
      expect(asked).toHaveLength(2);
    },
  );

  it('a destructive step cut off after its effect is recognised as done, not repeated', async () => {
    const { cluster } = estate.es;
    cluster.createIndex('logs-inflight', { shards: 1, replicas: 1, docs: DOCS });
    const base = { deps: depsFor(estate), clock: estate.clock, jobId: 'job-inflight', args: { expression: 'logs-inflight' } } as const;
    const first = await drive({ ...base, crashAt: 'logs-inflight/delete-source:after' });
    // Rewind to "in flight, completion not recorded", as a kill between the delete and the save leaves it.
    first.data.cursor -= 1;
    first.data.records.pop();
    first.data.inFlight = 'logs-inflight/delete-source';
    const second = await drive({ ...base, data: first.data, approvals: first.approvals });
    expect(second.outcome).toBe('completed');
    expect(second.data.records.find((r) => r.step === 'logs-inflight/delete-source')?.skipped).toBe(true);
    expect(cluster.trueDocCount('logs-inflight')).toBe(DOCS);
  });
});

describe('a copy task lost with its node', () => {
  it('is restarted (external versions) and the index is rebuilt without loss or duplicates', async () => {
    const estate = (await startEstate({ masters: 3, data: 3, version: '8.15.0', speed: 100, esKnobs: { reindexDocsPerSec: 1_000 } })) as EstateForReindex;
    try {
      await putLogsTemplate(estate.es.url);
      const { cluster } = estate.es;
      cluster.createIndex('logs-lost', { shards: 2, replicas: 1, docs: 8_000 });
      const base = { deps: depsFor(estate), clock: estate.clock, jobId: 'job-lost', args: { expression: 'logs-lost' } } as const;
      const first = await drive({ ...base, crashAt: 'logs-lost/follow-copy:during' });
      const task = [...cluster.tasks.running.values()][0];
      expect(task, 'the copy is still running when its node goes').toBeDefined();
      cluster.stopNode(task.node.spec.name);

      const second = await drive({ ...base, data: first.data, approvals: first.approvals });

      expect(second.outcome, second.stopText).toBe('completed');
      expect(second.said.join('\n')).toMatch(/is gone with its node; restarted as/);
      expect(cluster.trueDocCount('logs-lost')).toBe(8_000);
      expect(leftovers(cluster, ['logs-lost'])).toEqual({ temps: [], missing: [], blocked: [] });
    } finally {
      await estate.close();
    }
  });
});
