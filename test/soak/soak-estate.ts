import { Client } from '@elastic/elasticsearch';
import { startEstate, type Estate } from '../../sim/estate';
import type { Schedule } from './schedule';

export interface SoakEstate {
  estate: Estate;
  expectedNodes: number;
  /** The /elk command the run types. */
  command: string;
  /** Indices the job works on (their seeded documents must all be there at the end). */
  seeded: string[];
  /** Instances the job must terminate, each once, to complete. */
  replaced: number;
}

/** Clock ms per real ms: an hour of clock time is 12 real seconds, so the acked writer rolls over during a run. */
export const SOAK_SPEED = 300;

/**
 * Small estates, so one run takes seconds: 3 masters + 3 data for an upgrade (every node is replaced), one
 * master + 3 data with two `logs-soak-*` indices for a reindex. Seeding uses the simulator directly — it is
 * setting the scene, not observing it.
 */
export async function startSoakEstate(s: Schedule, o: { quick?: boolean } = {}): Promise<SoakEstate> {
  const esKnobs = {
    recoveryBytesPerSec: (s.slowRecovery ? 8 : 40) * 1024 * 1024,
    refreshLagMs: s.refreshLagMs,
    staleReadMs: s.staleReadMs,
    reindexDocsPerSec: 2_000,
  };
  if (s.kind === 'upgrade') {
    const estate = await startEstate({
      masters: 3,
      data: 3,
      version: '7.17.25',
      targetVersion: '8.15.0',
      speed: SOAK_SPEED,
      esKnobs,
      awsKnobs: { failBoot: s.failBoot ? 1 : 0 },
    });
    // 1 MB documents: a data node holds ~400 MB, so draining and recovering take clock minutes, not instants.
    estate.es.cluster.createIndex('logs-2026.11.20', { shards: 3, replicas: 1, docs: 600, bytesPerDoc: 1024 * 1024 });
    // Quick runs (CI) replace the three data nodes only: half the steps, the same drains and terminations.
    return { estate, expectedNodes: 6, command: o.quick ? 'upgrade prod --only data' : 'upgrade prod', seeded: ['logs-2026.11.20'], replaced: o.quick ? 3 : 6 };
  }
  const estate = await startEstate({ masters: 1, data: 3, version: '8.15.0', speed: SOAK_SPEED, esKnobs });
  const client = new Client({ node: estate.es.url });
  await client.indices.putIndexTemplate({
    name: 'logs-v2',
    index_patterns: ['logs-*'],
    priority: 10,
    template: { mappings: { properties: { rebuilt_field: { type: 'keyword' } } } },
  });
  await client.close();
  estate.es.cluster.createIndex('logs-soak-a', { shards: 2, replicas: 1, docs: 2_000 });
  estate.es.cluster.createIndex('logs-soak-b', { shards: 2, replicas: 1, docs: 1_200 });
  return { estate, expectedNodes: 4, command: 'reindex prod logs-soak-*', seeded: ['logs-soak-a', 'logs-soak-b'], replaced: 0 };
}
