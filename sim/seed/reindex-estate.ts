import { Client } from '@elastic/elasticsearch';
import { configSchema } from '../../src/config/schema';
import { reindexPortFor } from '../../src/elasticsearch/reindex-port';
import { startEstate, type Estate } from '../estate';
import type { ReindexDeps } from '../../jobs/reindex/types';

/**
 * The reindex benches' common ground: a small 8.x cluster with a `logs-*` template, the real reindex port on
 * the official client, and the default reindex settings from the config schema.
 */
export async function startReindexBenchEstate(o: { speed: number; reindexDocsPerSec: number }): Promise<{
  estate: Estate;
  client: Client;
  deps: ReindexDeps;
  close(): Promise<void>;
}> {
  const estate = await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: o.speed, esKnobs: { reindexDocsPerSec: o.reindexDocsPerSec } });
  const client = new Client({ node: estate.es.url });
  await client.indices.putIndexTemplate({ name: 'logs', index_patterns: ['logs-*'], priority: 1, template: { mappings: { properties: { host: { type: 'keyword' } } } } });
  const settings = configSchema.parse({ slack: { botToken: 'x', signingSecret: 'y' }, clusters: { b: { opsChannel: 'C0B', elasticsearch: { url: estate.es.url } } } }).clusters.b.reindex;
  return {
    estate,
    client,
    deps: { es: reindexPortFor(client, estate.clock), settings },
    close: async () => {
      await client.close();
      await estate.close();
    },
  };
}
