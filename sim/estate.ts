import { scaledClock, type Clock } from '../src/clock';
import { startAwsSimulator, type AwsKnobs, type Credentials, type Fleet } from './aws';
import { startElasticsearchSimulator } from './elasticsearch';

type EsSimulator = Awaited<ReturnType<typeof startElasticsearchSimulator>>;
type EsKnobOverrides = NonNullable<Parameters<typeof startElasticsearchSimulator>[0]['knobs']>;

export interface EstateOptions {
  clusterName?: string;
  /** Master-eligible instances (group es-master). Default 3. */
  masters?: number;
  /** Data/ingest instances (group es-data). Default 6. */
  data?: number;
  /** Elasticsearch version every instance runs at t=0. Default 7.17.25. */
  version?: string;
  /** When set, both launch templates already carry it: the estate as it stands just before an upgrade. */
  targetVersion?: string;
  /** Clock milliseconds per real millisecond. Default 100. */
  speed?: number;
  indices?: Array<{ name: string; shards: number; replicas: number; docs?: number }>;
  /** A continuously written hourly index series, like Logstash output. */
  timeSeries?: { prefix: string; docsPerMinute: number; shards?: number; replicas?: number };
  esKnobs?: EsKnobOverrides;
  awsKnobs?: Partial<AwsKnobs>;
  region?: string;
}

export interface Estate {
  clock: Clock;
  es: { url: string; cluster: EsSimulator['cluster'] };
  aws: { url: string; sim: Fleet; credentials: Credentials; region: string };
  groups: { masters: string; data: string };
  close(): Promise<void>;
}

const GROUPS = { masters: 'es-master', data: 'es-data' };

/**
 * The sandbox in one call: an Elasticsearch cluster whose every node is an instance of one of two Auto Scaling
 * groups, all sharing one clock. Nodes are named after their instances' Name tags (es-master-1, es-data-4).
 */
export async function startEstate(options: EstateOptions = {}): Promise<Estate> {
  const clock = scaledClock(options.speed ?? 100);
  const clusterName = options.clusterName ?? 'logs';
  const version = options.version ?? '7.17.25';
  const es = await startElasticsearchSimulator({ clock, clusterName, knobs: options.esKnobs });
  try {
    const tags = { Cluster: clusterName };
    const aws = await startAwsSimulator({
      clock,
      cluster: es.cluster,
      region: options.region,
      knobs: options.awsKnobs,
      groups: [
        { name: GROUPS.masters, roles: ['master'], size: options.masters ?? 3, version, targetVersion: options.targetVersion, tags },
        { name: GROUPS.data, roles: ['data', 'ingest'], size: options.data ?? 6, version, targetVersion: options.targetVersion, tags },
      ],
    });
    // Indices are created once the nodes are in, so their shards start allocated and the cluster green.
    for (const index of options.indices ?? []) {
      es.cluster.createIndex(index.name, { shards: index.shards, replicas: index.replicas, docs: index.docs });
    }
    if (options.timeSeries) {
      es.cluster.startTimeSeries({
        prefix: options.timeSeries.prefix,
        every: 'hour',
        docsPerMinute: options.timeSeries.docsPerMinute,
        shards: options.timeSeries.shards ?? 1,
        replicas: options.timeSeries.replicas ?? 1,
      });
    }
    return {
      clock,
      es: { url: es.url, cluster: es.cluster },
      aws: { url: aws.url, sim: aws.sim, credentials: aws.credentials, region: aws.region },
      groups: { ...GROUPS },
      close: async () => {
        // Instances first, so no timer of theirs calls into a cluster that is gone.
        await aws.close();
        await es.close();
      },
    };
  } catch (e) {
    await es.close();
    throw e;
  }
}
