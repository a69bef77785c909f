/**
 * What the upgrade job needs from Elasticsearch and from EC2/Auto Scaling, and nothing more. The adapters
 * live in src/elasticsearch/upgrade-port.ts and src/aws/upgrade-port.ts.
 */
export type Health = 'green' | 'yellow' | 'red';

export interface EsNode {
  /** Persistent node id: a replacement instance gets a new one even when it reuses the name. */
  id: string;
  name: string;
  ip: string;
  version: string;
  roles: string[];
  attributes: Record<string, string>;
}

export interface HealthReport {
  status: Health;
  nodes: number;
  dataNodes: number;
  initializing: number;
  relocating: number;
  unassigned: number;
  /** The long poll ended on its timeout before the condition held (HTTP 408). */
  timedOut: boolean;
}

export interface ShardCopy {
  index: string;
  shard: number;
  primary: boolean;
  state: 'STARTED' | 'INITIALIZING' | 'RELOCATING' | 'UNASSIGNED' | string;
  node?: string;
  /** For a RELOCATING copy: the node it is moving to (it initializes there). */
  relocatingTo?: string;
  bytes: number;
  unassignedReason?: string;
}

export interface DeciderVerdict {
  decider: string;
  decision: string;
  explanation: string;
}

export interface AllocationExplanation {
  index: string;
  shard: number;
  primary: boolean;
  /** Why it is unassigned (NODE_LEFT, INDEX_CREATED …). */
  reason?: string;
  /** `can_allocate`: no, yes, throttled, allocation_delayed, no_valid_shard_copy … */
  canAllocate?: string;
  /** Deciders that said NO, per node: the explanation an operator reads. */
  noDecisions: Array<{ node: string; deciders: DeciderVerdict[] }>;
  summary?: string;
}

export interface NodeDisk {
  node: string;
  availBytes?: number;
  totalBytes?: number;
}

export interface AllocationSettings {
  /** cluster.routing.allocation.exclude._name, persistent; null when unset. */
  excludeName: string | null;
  /** cluster.routing.allocation.enable, persistent; null when unset. */
  enable: string | null;
  /** cluster.max_shards_per_node (default 1000). */
  maxShardsPerNode: number;
}

/** The cluster's own recovery figures, for the plan's time estimate. */
export interface RecoverySettings {
  /** indices.recovery.max_bytes_per_sec in bytes; 0 or less means unthrottled. A per-node limit on all its recoveries together. */
  maxBytesPerSec: number;
  /** cluster.routing.allocation.node_concurrent_recoveries. */
  concurrentRecoveries: number;
  /** Where the throttle came from: transient, persistent, or the node's default (ES's default is 40mb). */
  throttleFrom: 'transient' | 'persistent' | 'default';
}

export type VotingExclusions = { known: true; names: string[] } | { known: false; why: string };

export interface EsUpgradePort {
  nodes(): Promise<EsNode[]>;
  /** Name of the elected master, undefined when none is elected. */
  electedMaster(): Promise<string | undefined>;
  /** Long poll when `wait` is given (clock time); a timeout is reported, never thrown. */
  health(wait?: { status?: 'yellow' | 'green'; nodes?: string; noRelocating?: boolean; timeoutMs: number }): Promise<HealthReport>;
  shards(): Promise<ShardCopy[]>;
  explain(shard: { index: string; shard: number; primary: boolean }): Promise<AllocationExplanation>;
  /** Data-path disk per node, for the drain's room estimate. */
  disks(): Promise<NodeDisk[]>;
  allocationSettings(): Promise<AllocationSettings>;
  /** GET _cluster/settings?include_defaults: the recovery throttle and concurrency in force. */
  recoverySettings(): Promise<RecoverySettings>;
  /** Writes the persistent settings given; null removes a setting. */
  setAllocation(patch: { excludeName?: string | null; enable?: string | null }): Promise<void>;
  flush(): Promise<void>;
  /** Read from `_cluster/state/metadata`, a format Elastic calls internal: when it cannot be read, `known` is false and `why` says so. */
  votingExclusions(): Promise<VotingExclusions>;
  addVotingExclusion(nodeName: string): Promise<void>;
  clearVotingExclusions(): Promise<void>;
}

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export interface InstanceFacts {
  id: string;
  state: InstanceState | string;
  privateIp?: string;
  tags: Record<string, string>;
  launchTime?: number;
}

export interface GroupFacts {
  name: string;
  desiredCapacity: number;
  /** Instance ids in the group (any lifecycle state) with their lifecycle state. */
  instances: Array<{ id: string; lifecycle: string }>;
  suspendedProcesses: string[];
  launchTemplate?: { id?: string; name?: string; version?: string };
}

export interface AwsUpgradePort {
  groups(names: string[]): Promise<GroupFacts[]>;
  /** Value of `tagKey` in the instance TagSpecifications of the template version the group launches. */
  launchTemplateTag(template: NonNullable<GroupFacts['launchTemplate']>, tagKey: string): Promise<string | undefined>;
  /** Instances by id; ids AWS no longer knows are left out. */
  instances(ids: string[]): Promise<InstanceFacts[]>;
  terminate(instanceId: string, via: 'autoscaling' | 'ec2'): Promise<void>;
}

/** Open Elastalert alerts on the cluster (src/alerts/open-alerts.ts), read by no_open_alert_on_cluster. */
export interface UpgradeAlertsPort {
  /** elastalert.alerts.holdUpgradesOn: the severities that hold a terminate. */
  holdOn: readonly string[];
  unacknowledged(cluster: string, severities: readonly string[]): Promise<Array<{ rule: string; queryKey?: string; severity: string; since: number; channel: string; threadTs: string }>>;
}

export interface UpgradeDeps {
  es: EsUpgradePort;
  aws: AwsUpgradePort;
  settings: UpgradeSettings;
  /** Absent when no severity holds upgrades (elastalert.alerts.holdUpgradesOn is empty). */
  alerts?: UpgradeAlertsPort;
  /** POSTs the end-of-run summary as JSON; undefined when no webhook is configured. */
  postSummary?: (body: unknown) => Promise<void>;
}

export interface UpgradeSettings {
  groups: { masters?: string; data?: string };
  nodeMapping: { by: 'private-ip' } | { by: 'name-tag'; tag: string } | { by: 'node-attribute'; attribute: string };
  versionTag: string;
  targetVersion: { from: 'launch-template' } | { from: 'fixed'; version: string };
  greenTimeout: number;
  joinTimeout: number;
  leaveTimeout: number;
  drainTimeout: number;
  pollTimeout: number;
  pollInterval: number;
  order: 'data-first' | 'masters-first';
  terminateVia: 'autoscaling' | 'ec2';
  bootEstimate: number;
  recoveryMbPerSec: number;
}
