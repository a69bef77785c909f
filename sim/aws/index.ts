import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/clock';
import { Fleet } from './fleet';
import { defaultKnobs, type AwsKnobs, type GroupConfig, type SeedableClusterControl } from './model';
import { createAwsServer } from './server';
import type { Credentials } from './sigv4-verify';

export type {
  AwsKnobs,
  FaultRule,
  GroupConfig,
  GroupSnapshot,
  InstanceSnapshot,
  InstanceStateName,
  LifecycleState,
  SeedableClusterControl,
  TerminationRecord,
  TerminationSource,
} from './model';
export type { Fleet } from './fleet';
export type { Credentials } from './sigv4-verify';

export const DEFAULT_SIM_CREDENTIALS: Credentials = {
  accessKeyId: 'AKIASIMULATOR0EXAMPLE',
  secretAccessKey: 'simulator/secret/access/key/EXAMPLE0000',
};

export interface AwsSimulatorOptions {
  clock: Clock;
  /** Where instances start and stop Elasticsearch nodes; `seedNode`, when present, places t=0 nodes already joined. */
  cluster: SeedableClusterControl;
  groups: GroupConfig[];
  /** 0 (the default) picks a free port. */
  port?: number;
  credentials?: Credentials;
  region?: string;
  knobs?: Partial<AwsKnobs>;
}

export interface AwsSimulator {
  /** Endpoint for both EC2Client and AutoScalingClient. */
  url: string;
  sim: Fleet;
  credentials: Credentials;
  region: string;
  close(): Promise<void>;
}

/**
 * Starts the EC2 + Auto Scaling simulator: one HTTP endpoint speaking both query protocols, with every group's
 * instances already running (and their nodes started) at t=0.
 */
export async function startAwsSimulator(options: AwsSimulatorOptions): Promise<AwsSimulator> {
  const region = options.region ?? 'eu-west-1';
  const credentials = options.credentials ?? DEFAULT_SIM_CREDENTIALS;
  const fleet = new Fleet(options.clock, options.cluster, { ...defaultKnobs(), ...options.knobs }, region, options.groups);
  const server = createAwsServer(fleet, credentials);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sim: fleet,
    credentials,
    region,
    close: async () => {
      fleet.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
