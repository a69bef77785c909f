import { startEstate, type Estate, type EstateOptions } from '../estate';
import type { TimeSeriesHandle } from '../elasticsearch/time-series';

export const TARGET = '8.15.0';

export interface SeededEstate {
  estate: Estate;
  series: TimeSeriesHandle;
  /** Documents that must exist at the end: the seeded ones plus everything the time series had acknowledged. */
  expectedDocs(): number;
}

/**
 * 3 masters and 6 data nodes on 7.17.25 whose launch templates already say 8.15.0, ~1.2 GB of logs per data
 * node (a minute or two of recovery at 40 MB/s), and an hourly series taking documents all the time.
 */
export async function seedEstate(o: { speed?: number; esKnobs?: EstateOptions['esKnobs']; awsKnobs?: EstateOptions['awsKnobs'] } = {}): Promise<SeededEstate> {
  const estate = await startEstate({ speed: o.speed ?? 200, targetVersion: TARGET, esKnobs: o.esKnobs, awsKnobs: o.awsKnobs });
  const seeded: Record<string, number> = { 'logs-2026.11.20': 2000, 'logs-2026.11.21': 2000, 'logs-2026.11.22': 1500, metrics: 800 };
  for (const [name, docs] of Object.entries(seeded)) {
    estate.es.cluster.createIndex(name, { shards: 3, replicas: 1, docs, bytesPerDoc: 1024 * 1024 });
  }
  const series = estate.es.cluster.startTimeSeries({ prefix: 'logstash-', every: 'hour', docsPerMinute: 120, shards: 2, replicas: 1 });
  const total = Object.values(seeded).reduce((a, b) => a + b, 0);
  return { estate, series, expectedDocs: () => total + series.written };
}
