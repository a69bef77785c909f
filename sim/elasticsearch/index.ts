import type { Clock } from '../../src/clock';
import { SimCluster } from './cluster';
import { startHttpServer } from './http-server';
import { catRoutes } from './routes/cat';
import { clusterRoutes } from './routes/cluster';
import { documentRoutes } from './routes/documents';
import { indexRoutes } from './routes/indices';
import { nodeRoutes } from './routes/nodes';
import { searchRoutes } from './routes/search';
import { taskRoutes } from './routes/tasks';
import { defaultKnobs, type EsKnobs } from './types';

export { SimCluster } from './cluster';
export type { NodeListing, SeedIndexOptions } from './cluster';
export type { TimeSeriesHandle, TimeSeriesOptions } from './time-series';
export type { EsFault, EsKnobs, Observations } from './types';

export interface ElasticsearchSimulator {
  url: string;
  cluster: SimCluster;
  close(): Promise<void>;
}

/** Order matters: fixed API paths before the `/{index}/...` catch-alls. */
const ROUTES = [...nodeRoutes, ...clusterRoutes, ...catRoutes, ...taskRoutes, ...searchRoutes, ...documentRoutes, ...indexRoutes];

export async function startElasticsearchSimulator(opts: {
  clock: Clock;
  clusterName?: string;
  port?: number;
  knobs?: Partial<EsKnobs>;
}): Promise<ElasticsearchSimulator> {
  const cluster = new SimCluster(opts.clock, opts.clusterName ?? 'elk-sim', { ...defaultKnobs(), ...opts.knobs });
  cluster.start();
  const server = await startHttpServer(cluster, ROUTES, opts.port ?? 0);
  return {
    url: server.url,
    cluster,
    async close() {
      cluster.stop();
      await server.close();
    },
  };
}
