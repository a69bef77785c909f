import { Client, errors } from '@elastic/elasticsearch';
import { scaledClock, type Clock } from '../../../src/clock';
import type { SimNodeSpec } from '../../../sim/cluster-control';
import { startElasticsearchSimulator, type EsKnobs, type SimCluster } from '../../../sim/elasticsearch';

export interface SimHarness {
  clock: Clock;
  url: string;
  cluster: SimCluster;
  client: Client;
  close(): Promise<void>;
}

export const nodeSpec = (i: number, over: Partial<SimNodeSpec> = {}): SimNodeSpec => ({
  name: `es-${i}`,
  ip: `10.0.0.${10 + i}`,
  version: '8.15.0',
  roles: ['master', 'data'],
  attributes: { instance_id: `i-0000${i}` },
  ...over,
});

/** A simulator seeded with `nodes` joined nodes, on a fast clock, and an official client without retries. */
export async function startSim(opts: { speed?: number; nodes?: SimNodeSpec[]; knobs?: Partial<EsKnobs> } = {}): Promise<SimHarness> {
  const clock = scaledClock(opts.speed ?? 100);
  const sim = await startElasticsearchSimulator({ clock, knobs: { joinDelayMs: 2_000, electionDelayMs: 2_000, ...opts.knobs } });
  for (const spec of opts.nodes ?? [nodeSpec(1), nodeSpec(2), nodeSpec(3)]) sim.cluster.seedNode(spec);
  const client = new Client({ node: sim.url, maxRetries: 0, requestTimeout: 20_000 });
  return {
    clock,
    url: sim.url,
    cluster: sim.cluster,
    client,
    async close() {
      await client.close();
      await sim.close();
    },
  };
}

/** The ResponseError a request is expected to fail with (status, body), or a test failure if it succeeds. */
export async function responseError(p: Promise<unknown>): Promise<errors.ResponseError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof errors.ResponseError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}
