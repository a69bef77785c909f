import { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../helpers/harness';
import { driveToEnd } from '../../helpers/drive-job';
import { jobIdIn } from '../../helpers/job-id';
import { putLogsTemplate } from './fixture';

const NAME = 'logs-path-a';
const DOCS = 4_000;

let h: Harness | undefined;
let es: Client | undefined;
afterEach(async () => {
  await es?.close();
  await h?.close();
  h = es = undefined;
});

/** One `/elk reindex` on `reindex.restoreVia: auto` (the default), driven to the end with every question approved. */
async function rebuild(esKnobs: Record<string, number>, before?: (es: Client) => Promise<unknown>) {
  h = await startHarness({ estate: { masters: 1, data: 3, version: '8.15.0', speed: 100, esKnobs } });
  await putLogsTemplate(h.estate!.es.url);
  // ~1 MB of primaries in 2 shards, 1 replica each.
  h.estate!.es.cluster.createIndex(NAME, { shards: 2, replicas: 1, docs: DOCS });
  es = new Client({ node: h.estate!.es.url });
  await before?.(es);
  const jobId = jobIdIn(await h.command('alice', `reindex prod ${NAME}`));
  const { final } = await driveToEnd(h, jobId);
  const thread = h.threadText(jobId);
  expect(final.returnvalue?.outcome, thread).toBe('completed');
  expect((await es.count({ index: NAME })).count, thread).toBe(DOCS);
  expect((await es.cluster.health({ index: NAME })).status, thread).toBe('green');
  expect((await es.cat.indices({ index: 'logs-path-*', format: 'json', h: ['index'] })).map((r) => r.index), thread).toEqual([NAME]);
  return thread;
}

describe('/elk reindex picks clone or a second reindex per index, from the first copy and the recovery throttle (issue #9)', () => {
  it('clones when replicas recover quickly (the default 40mb/s throttle)', async () => {
    const thread = await rebuild({});
    expect(thread).toMatch(new RegExp(`cloned ${NAME}-r into ${NAME} — a clone's 2 replica copies \\(.+ each, 1 per node\\) need ~.+ to recover at 40\\.0 MB/s \\(indices\\.recovery\\.max_bytes_per_sec, default\\); the first copy took`));
    expect(thread).not.toMatch(/reindexed .* back into/);
  }, 60_000);

  it('reindexes again when the replicas of a clone would take longer to recover than the copy took (a slow node default)', async () => {
    const thread = await rebuild({ recoveryBytesPerSec: 5_000 });
    expect(thread).toMatch(new RegExp(`reindexed ${NAME}-r back into ${NAME} \\(task [^)]+\\) — a clone's 2 replica copies .* to recover at 4\\.9 KB/s \\(indices\\.recovery\\.max_bytes_per_sec, default\\); the first copy took`));
  }, 60_000);

  it('reads a throttle someone set, and the simulated recoveries follow it', async () => {
    const thread = await rebuild({}, (c) => c.cluster.putSettings({ persistent: { 'indices.recovery.max_bytes_per_sec': '5kb' } }));
    expect(thread).toMatch(/reindexed .* — a clone's 2 replica copies .* to recover at 5\.0 KB\/s \(indices\.recovery\.max_bytes_per_sec, persistent\)/);
  }, 60_000);
});
