import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Client } from '@elastic/elasticsearch';

/** Where the watcher looks: the same public endpoints an operator's laptop would use against a real estate. */
export interface WatchTarget {
  elasticsearch: { url: string; auth?: { username: string; password: string } | { apiKey: string } };
  aws: {
    region: string;
    /** Only for a simulator or a VPC endpoint; a real account leaves it out. */
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    /** The Auto Scaling groups whose instances are the cluster's nodes. */
    groups: string[];
  };
}

export interface WatchClients {
  es: Client;
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  close(): Promise<void>;
}

/**
 * Built from the SDKs directly, not from the bot's adapters: an observer that shared the product's code would
 * share its mistakes. No client-side retries, so every failed look is counted as one.
 */
export function createWatchClients(t: WatchTarget): WatchClients {
  const es = new Client({ node: t.elasticsearch.url, auth: t.elasticsearch.auth, maxRetries: 0, requestTimeout: 10_000 });
  const aws = {
    region: t.aws.region,
    maxAttempts: 1,
    ...(t.aws.endpoint ? { endpoint: t.aws.endpoint } : {}),
    ...(t.aws.credentials ? { credentials: t.aws.credentials } : {}),
  };
  const ec2 = new EC2Client(aws);
  const autoscaling = new AutoScalingClient(aws);
  return {
    es,
    ec2,
    autoscaling,
    close: async () => {
      ec2.destroy();
      autoscaling.destroy();
      await es.close();
    },
  };
}
