import { Client } from '@elastic/elasticsearch';
import { configSchema, type ClusterConfig } from '../../../src/config/schema';
import { reindexPortFor } from '../../../src/elasticsearch/reindex-port';
import type { ReindexDeps } from '../../../jobs/reindex/types';
import type { Estate } from '../../../sim/estate';
import type { IndexAudit } from '../../../sim/watcher';
import { watchEstate } from '../../../sim/watcher/for-estate';
import { startHarness, type Harness, type HarnessOptions } from '../../helpers/harness';

export const TEMPLATE_FIELD = 'rebuilt_field';

export interface EstateForReindex {
  clock: import('../../../src/clock').Clock;
  es: { url: string; cluster: any };
  close(): Promise<void>;
}

/** The reindex settings as the config loader would produce them, with test overrides (durations in ms or text). */
export function reindexSettings(url: string, overrides: Record<string, unknown> = {}): ClusterConfig['reindex'] {
  const config = configSchema.parse({
    slack: { botToken: 'x', signingSecret: 'y' },
    clusters: { prod: { opsChannel: 'C0OPS', elasticsearch: { url }, reindex: overrides } },
  });
  return config.clusters.prod.reindex;
}

export function depsFor(estate: EstateForReindex, overrides: Record<string, unknown> = {}): ReindexDeps {
  return { es: reindexPortFor(new Client({ node: estate.es.url }), estate.clock), settings: reindexSettings(estate.es.url, overrides) };
}

/** A composable template whose mappings the rebuilt indices must carry. */
export async function putLogsTemplate(url: string): Promise<void> {
  const client = new Client({ node: url });
  await client.indices.putIndexTemplate({
    name: 'logs-v2',
    index_patterns: ['logs-*'],
    priority: 10,
    template: { mappings: { properties: { [TEMPLATE_FIELD]: { type: 'keyword' } } } },
  });
  await client.close();
}

/**
 * Documents in each index as a person would count them before a job: `_refresh`, then `_count` through the
 * official client with every shard answering. Through a load balancer a read can land on a copy that lags
 * behind (the staleReadMs knob answers every other read from one), so the best of four full counts is taken.
 */
export async function countedThroughClient(url: string, names: string[]): Promise<Record<string, number>> {
  const es = new Client({ node: url });
  try {
    const out: Record<string, number> = {};
    for (const index of names) {
      await es.indices.refresh({ index });
      let best: number | undefined;
      for (let i = 0; i < 4; i++) {
        const r = await es.count({ index });
        if (r._shards.failed === 0 && r._shards.successful === r._shards.total) best = Math.max(best ?? 0, r.count);
      }
      if (best === undefined) throw new Error(`${index}: no count with every shard answering`);
      out[index] = best;
    }
    return out;
  } finally {
    await es.close();
  }
}

/**
 * Acknowledged writes through the official client's `_bulk`, not refreshed (searchable only after the next
 * refresh): returns how many items Elasticsearch acknowledged, the only ones that must survive.
 */
export async function bulkAcked(url: string, index: string, docs: Array<Record<string, unknown>>): Promise<number> {
  const es = new Client({ node: url });
  try {
    const r = await es.bulk({ operations: docs.flatMap((d) => [{ index: { _index: index } }, d]) });
    return r.items.filter((i) => i.index && i.index.status >= 200 && i.index.status < 300).length;
  } finally {
    await es.close();
  }
}

/**
 * The watcher's document audit (refresh, `_count` with every shard answering, retried against lagging copies)
 * of each index against what must be in it. It sees the cluster only through the public API.
 */
export async function watcherAudit(estate: EstateForReindex, expected: Record<string, number>): Promise<IndexAudit[]> {
  const watcher = watchEstate(estate as Estate, { expectedNodes: 0 });
  try {
    return await watcher.auditDocuments(expected);
  } finally {
    await watcher.close();
  }
}

/** Per index: exactly the expected documents, none missing, none duplicated, every shard answering. */
export const exactly = (audit: IndexAudit[]) =>
  Object.fromEntries(audit.map((a) => [a.index, { counted: a.counted, missing: a.missing, extra: a.extra, problem: a.problem }]));
export const asExpected = (expected: Record<string, number>) =>
  Object.fromEntries(Object.entries(expected).map(([index, n]) => [index, { counted: n, missing: 0, extra: 0, problem: undefined }]));

/** Plain facts about the cluster after a run, read from the simulator's ground truth. */
export function leftovers(cluster: any, names: string[], suffix = '-r') {
  return {
    temps: names.filter((n) => cluster.indices.has(`${n}${suffix}`)),
    missing: names.filter((n) => !cluster.indices.has(n)),
    blocked: names.filter((n) => cluster.indices.get(n)?.settings['index.blocks.write'] === 'true'),
  };
}

/** The bot on `estate` (the test closes the estate): a short predicate wait so a blocked gate asks soon. */
export function startReindexBot(estate: EstateForReindex, o: Partial<HarnessOptions> = {}): Promise<Harness> {
  return startHarness({ estate: estate as Estate, ...o, config: { worker: { predicateWait: '10m' }, ...(o.config ?? {}) } });
}

/** Every reindex task the simulator ran or runs into `dest`. */
export function tasksInto(cluster: any, dest: string): Array<{ state: string; status: { canceled?: string } }> {
  const all = [...cluster.tasks.running.values(), ...cluster.tasks.finished.values()];
  return all.filter((t: any) => t.plan.dest.index === dest);
}
