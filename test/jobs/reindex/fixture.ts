import { Client } from '@elastic/elasticsearch';
import { configSchema, type ClusterConfig } from '../../../src/config/schema';
import { reindexPortFor } from '../../../src/elasticsearch/reindex-port';
import type { ReindexDeps } from '../../../jobs/reindex/types';

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

/** Plain facts about the cluster after a run, read from the simulator's ground truth. */
export function leftovers(cluster: any, names: string[], suffix = '-r') {
  return {
    temps: names.filter((n) => cluster.indices.has(`${n}${suffix}`)),
    missing: names.filter((n) => !cluster.indices.has(n)),
    blocked: names.filter((n) => cluster.indices.get(n)?.settings['index.blocks.write'] === 'true'),
  };
}
