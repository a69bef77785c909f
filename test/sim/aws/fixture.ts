import { scaledClock, type Clock } from '../../../src/clock';
import { createAwsClients, type AwsClients } from '../../../src/aws/clients';
import type { SimNodeSpec } from '../../../sim/cluster-control';
import { startAwsSimulator, type AwsKnobs, type AwsSimulator, type GroupConfig } from '../../../sim/aws';

/** Stands in for the Elasticsearch simulator: remembers which nodes the instances started and stopped. */
export class FakeCluster {
  readonly started: Array<SimNodeSpec & { at: number }> = [];
  readonly stopped: Array<{ name: string; at: number }> = [];
  readonly seeded: SimNodeSpec[] = [];
  constructor(private readonly clock: Clock) {}
  startNode(spec: SimNodeSpec): void {
    this.started.push({ ...spec, at: this.clock.now() });
  }
  stopNode(name: string): void {
    this.stopped.push({ name, at: this.clock.now() });
  }
  seedNode(spec: SimNodeSpec): void {
    this.seeded.push(spec);
  }
}

export interface Fixture extends AwsClients {
  aws: AwsSimulator;
  clock: Clock;
  cluster: FakeCluster;
  close(): Promise<void>;
}

export const GROUPS: GroupConfig[] = [
  { name: 'es-master', roles: ['master'], size: 3, version: '7.17.25', tags: { Cluster: 'logs' } },
  { name: 'es-data', roles: ['data', 'ingest'], size: 4, version: '7.17.25', targetVersion: '8.15.0', tags: { Cluster: 'logs' } },
];

/** Fast lifecycle at clock speed 100: boot 0.3 s, shutdown 0.1 s, health check 0.2 s of real time. */
export const FAST: Partial<AwsKnobs> = { bootMs: 30_000, shutdownMs: 10_000, healthCheckMs: 20_000 };

export async function startFixture(opts: { knobs?: Partial<AwsKnobs>; groups?: GroupConfig[] } = {}): Promise<Fixture> {
  const clock = scaledClock(100);
  const cluster = new FakeCluster(clock);
  const aws = await startAwsSimulator({ clock, cluster, groups: opts.groups ?? GROUPS, knobs: { ...FAST, ...opts.knobs } });
  const clients = createAwsClients({ region: aws.region, endpoint: aws.url, credentials: aws.credentials });
  return {
    ...clients,
    aws,
    clock,
    cluster,
    close: async () => {
      clients.ec2.destroy();
      clients.autoscaling.destroy();
      await aws.close();
    },
  };
}

/** Polls in real time until `check` returns a value that is not undefined/false. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the rejection of `promise`, failing if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await promise;
  } catch (e) {
    return e as Error & Record<string, any>;
  }
  throw new Error('expected the call to fail');
}
