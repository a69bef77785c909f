import type { ClusterControl, SimNodeRole, SimNodeSpec } from '../cluster-control';

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated';
export const INSTANCE_STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
};
export type LifecycleState = 'Pending' | 'InService' | 'Terminating';

export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'HealthCheck',
  'ReplaceUnhealthy',
  'AZRebalance',
  'AlarmNotification',
  'ScheduledActions',
  'AddToLoadBalancer',
  'InstanceRefresh',
] as const;

export const ACCOUNT_ID = '123456789012';

/** Where a termination request came from: the EC2 API, the Auto Scaling API, or the group scaling in. */
export type TerminationSource = 'ec2' | 'autoscaling' | 'scale-in';

export interface TerminationRecord {
  instanceId: string;
  /** Clock time of the request. */
  at: number;
  via: TerminationSource;
  previousState: InstanceStateName;
}

export interface AwsKnobs {
  /** pending → running. */
  bootMs: number;
  /** shutting-down → terminated. */
  shutdownMs: number;
  /** How long a group takes to notice a lost instance (or to replace one terminated through Auto Scaling). */
  healthCheckMs: number;
  /** How long terminated instances stay visible to DescribeInstances (about an hour on AWS). */
  terminatedRetentionMs: number;
  /** The next N launched instances die during boot with Server.InternalError. */
  failBoot: number;
  /** Actions answered with UnauthorizedOperation (EC2) / AccessDenied (Auto Scaling). */
  deny: Set<string>;
  /** Server-side failures for chosen actions; each answered request uses up one of `times`. */
  faults: FaultRule[];
}

export interface FaultRule {
  action: string;
  status: 500 | 503;
  /** Defaults to the service's own code for the status (InternalError/Unavailable, InternalFailure/ServiceUnavailable). */
  code?: string;
  times: number;
}

export function defaultKnobs(): AwsKnobs {
  return {
    bootMs: 90_000,
    shutdownMs: 30_000,
    healthCheckMs: 60_000,
    terminatedRetentionMs: 60 * 60_000,
    failBoot: 0,
    deny: new Set(),
    faults: [],
  };
}

export interface GroupConfig {
  /** Auto Scaling group name, e.g. 'es-master'. */
  name: string;
  roles: SimNodeRole[];
  /** Desired capacity; this many instances are running at t=0. */
  size: number;
  minSize?: number;
  maxSize?: number;
  /** Elasticsearch version of the running instances (launch template version 1). */
  version: string;
  /** When set, launch template version 2 carries it: the state just before an upgrade. */
  targetVersion?: string;
  /** Instance Name tags (and node names) are `${namePrefix}-${n}`; defaults to the group name. */
  namePrefix?: string;
  instanceType?: string;
  /** Group tags propagated to instances at launch. */
  tags?: Record<string, string>;
}

export interface LaunchTemplateVersion {
  versionNumber: number;
  imageId: string;
  instanceType: string;
  /** Carried to instances as the `Version` tag through the template's TagSpecifications. */
  esVersion: string;
  createTime: Date;
}

export interface LaunchTemplate {
  id: string;
  name: string;
  createTime: Date;
  defaultVersion: number;
  versions: LaunchTemplateVersion[];
}

export interface Activity {
  activityId: string;
  groupName: string;
  description: string;
  cause: string;
  details: string;
  startTime: Date;
  endTime?: Date;
  statusCode: 'InProgress' | 'Successful' | 'Failed';
  statusMessage?: string;
}

export interface SimInstance {
  instanceId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  availabilityZone: string;
  subnetId: string;
  privateIp: string;
  launchTime: Date;
  state: InstanceStateName;
  stateTransitionReason: string;
  stateReason?: { code: string; message: string };
  terminatedAt?: number;
  tags: Map<string, string>;
  group: SimGroup;
  launchTemplateVersion: number;
  /** The group's view: Pending/InService until it notices the loss, then Terminating until it leaves. */
  lifecycle: LifecycleState;
  health: 'Healthy' | 'Unhealthy';
  inGroup: boolean;
  /** The node this instance started, remembered because CreateTags may rename the instance afterwards. */
  nodeName?: string;
  bootFails: boolean;
  launchActivity?: Activity;
  terminateActivity?: Activity;
}

export interface SimGroup {
  name: string;
  arn: string;
  roles: SimNodeRole[];
  namePrefix: string;
  instanceType: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  launchTemplate: LaunchTemplate;
  /** What the group launches from: '$Latest', '$Default' or a version number. */
  launchTemplateVersion: string;
  suspended: Map<string, string>;
  tags: Array<{ key: string; value: string; propagate: boolean }>;
  createdTime: Date;
  activities: Activity[];
  /** Lost instances the group could not notice because HealthCheck is suspended. */
  unnoticed: Set<SimInstance>;
}

export interface Subnet {
  id: string;
  availabilityZone: string;
  /** First three octets, e.g. '10.0.1'. */
  prefix: string;
  nextHost: number;
}

/** Ground truth about an instance, for tests and the sandbox; not what any API returns. */
export interface InstanceSnapshot {
  instanceId: string;
  name: string;
  group: string;
  state: InstanceStateName;
  lifecycleState?: LifecycleState;
  healthStatus?: 'Healthy' | 'Unhealthy';
  privateIp: string;
  availabilityZone: string;
  imageId: string;
  version: string;
  launchTemplateVersion: number;
  launchTime: number;
  terminatedAt?: number;
  stateReason?: string;
  tags: Record<string, string>;
}

export interface GroupSnapshot {
  name: string;
  desiredCapacity: number;
  minSize: number;
  maxSize: number;
  suspendedProcesses: string[];
  launchTemplate: { id: string; name: string; latestVersion: number; latestEsVersion: string };
  instances: Array<{ instanceId: string; lifecycleState: LifecycleState; healthStatus: 'Healthy' | 'Unhealthy' }>;
}

/** A ClusterControl that may also place nodes already joined, so a seeded estate starts complete. */
export type SeedableClusterControl = ClusterControl & { seedNode?(spec: SimNodeSpec): void };
