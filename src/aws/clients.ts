import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';

export interface AwsClientOptions {
  region: string;
  /** Overrides both services' endpoint; only the simulator needs it. */
  endpoint?: string;
  /** Static credentials; without them the SDK's default chain applies (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AwsClients {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return { ec2: new EC2Client(config), autoscaling: new AutoScalingClient(config) };
}
