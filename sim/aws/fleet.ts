import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/clock';
import type { SimNodeSpec } from '../cluster-control';
import { AwsApiError, validationError } from './errors';
import { resourceId } from './ids';
import {
  ACCOUNT_ID,
  SCALING_PROCESSES,
  type Activity,
  type AwsKnobs,
  type GroupConfig,
  type GroupSnapshot,
  type InstanceSnapshot,
  type InstanceStateName,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  type SeedableClusterControl,
  type SimGroup,
  type SimInstance,
  type Subnet,
  type TerminationRecord,
  type TerminationSource,
} from './model';

const USER_SHUTDOWN = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
const BOOT_FAILURE = { code: 'Server.InternalError', message: 'Server.InternalError: Internal error on launch' };

/**
 * The EC2 instances, launch templates and Auto Scaling groups of the simulated account, moving on the
 * simulated clock. The API handlers read and drive it; tests read its ground truth.
 */
export class Fleet {
  readonly terminations: TerminationRecord[] = [];
  readonly launchTemplates: LaunchTemplate[] = [];
  readonly subnets: Subnet[];
  readonly vpcId = resourceId('vpc');
  private readonly all = new Map<string, SimInstance>();
  private readonly groupsByName = new Map<string, SimGroup>();
  private readonly amiByVersion = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly cluster: SeedableClusterControl,
    readonly knobs: AwsKnobs,
    readonly region: string,
    groups: GroupConfig[],
  ) {
    this.subnets = ['a', 'b', 'c'].map((zone, i) => ({
      id: resourceId('subnet'),
      availabilityZone: `${region}${zone}`,
      prefix: `10.0.${i + 1}`,
      nextHost: 10,
    }));
    for (const config of groups) this.seedGroup(config);
  }

  // ---- ground truth -------------------------------------------------------------------------------------

  instances(): InstanceSnapshot[] {
    return [...this.all.values()].map((i) => ({
      instanceId: i.instanceId,
      name: i.tags.get('Name') ?? '',
      group: i.group.name,
      state: i.state,
      lifecycleState: i.inGroup ? i.lifecycle : undefined,
      healthStatus: i.inGroup ? i.health : undefined,
      privateIp: i.privateIp,
      availabilityZone: i.availabilityZone,
      imageId: i.imageId,
      version: i.tags.get('Version') ?? '',
      launchTemplateVersion: i.launchTemplateVersion,
      launchTime: i.launchTime.getTime(),
      terminatedAt: i.terminatedAt,
      stateReason: i.stateReason?.code,
      tags: Object.fromEntries(i.tags),
    }));
  }

  groups(): GroupSnapshot[] {
    return [...this.groupsByName.values()].map((g) => {
      const latest = g.launchTemplate.versions.at(-1)!;
      return {
        name: g.name,
        desiredCapacity: g.desiredCapacity,
        minSize: g.minSize,
        maxSize: g.maxSize,
        suspendedProcesses: [...g.suspended.keys()],
        launchTemplate: {
          id: g.launchTemplate.id,
          name: g.launchTemplate.name,
          latestVersion: latest.versionNumber,
          latestEsVersion: latest.esVersion,
        },
        instances: this.members(g).map((i) => ({ instanceId: i.instanceId, lifecycleState: i.lifecycle, healthStatus: i.health })),
      };
    });
  }

  /** Publishes a new launch template version (also made the default) that the group launches from next. */
  setLaunchTemplateVersion(groupName: string, spec: { version: string; imageId?: string }): number {
    const template = this.requireGroup(groupName).launchTemplate;
    const previous = template.versions.at(-1)!;
    const versionNumber = previous.versionNumber + 1;
    template.versions.push({
      versionNumber,
      imageId: spec.imageId ?? this.amiFor(spec.version),
      instanceType: previous.instanceType,
      esVersion: spec.version,
      createTime: new Date(this.clock.now()),
    });
    template.defaultVersion = versionNumber;
    return versionNumber;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ---- EC2 ----------------------------------------------------------------------------------------------

  /** Instances DescribeInstances can still see: terminated ones linger for terminatedRetentionMs. */
  visibleInstances(): SimInstance[] {
    const now = this.clock.now();
    return [...this.all.values()].filter(
      (i) => i.terminatedAt === undefined || now - i.terminatedAt < this.knobs.terminatedRetentionMs,
    );
  }

  findInstance(id: string): SimInstance | undefined {
    return this.visibleInstances().find((i) => i.instanceId === id);
  }

  terminateInstance(instance: SimInstance, via: TerminationSource): { previous: InstanceStateName; current: InstanceStateName } {
    const previous = instance.state;
    this.terminations.push({ instanceId: instance.instanceId, at: this.clock.now(), via, previousState: previous });
    if (previous === 'pending' || previous === 'running') this.beginShutdown(instance, USER_SHUTDOWN);
    // Terminated behind the group's back: it still counts the instance as InService until its health check.
    if (via === 'ec2' && instance.inGroup && instance.lifecycle !== 'Terminating') {
      this.after(this.knobs.healthCheckMs, () => this.notice(instance));
    }
    return { previous, current: instance.state };
  }

  findLaunchTemplate(ref: { id?: string; name?: string }): LaunchTemplate | undefined {
    return this.launchTemplates.find((t) => (ref.id !== undefined ? t.id === ref.id : t.name === ref.name));
  }

  // ---- Auto Scaling -------------------------------------------------------------------------------------

  allGroups(): SimGroup[] {
    return [...this.groupsByName.values()];
  }

  findGroup(name: string): SimGroup | undefined {
    return this.groupsByName.get(name);
  }

  members(group: SimGroup): SimInstance[] {
    return [...this.all.values()].filter((i) => i.group === group && i.inGroup);
  }

  terminateInGroup(instance: SimInstance, decrementDesired: boolean): Activity {
    const group = instance.group;
    if (!instance.inGroup) {
      throw validationError(`Instance Id not found - No managed instance found for instance ID: ${instance.instanceId}`);
    }
    if (decrementDesired && instance.lifecycle !== 'Terminating' && group.desiredCapacity <= group.minSize) {
      throw validationError(
        `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
      );
    }
    // A second request for an instance already on its way out must not shrink the group twice.
    const decrement = decrementDesired && instance.lifecycle !== 'Terminating';
    const from = group.desiredCapacity;
    if (decrement) group.desiredCapacity -= 1;
    const shrinking = decrement ? `, shrinking the capacity from ${from} to ${group.desiredCapacity}` : '';
    const activity = this.startActivity(
      group,
      `Terminating EC2 instance: ${instance.instanceId}`,
      `At ${isoSeconds(this.clock.now())} instance ${instance.instanceId} was taken out of service in response to a user request${shrinking}.`,
      instance,
    );
    this.takeOutOfService(instance, activity, 'autoscaling');
    if (!decrement) this.after(this.knobs.healthCheckMs, () => this.reconcile(group));
    return activity;
  }

  suspend(group: SimGroup, processes: string[]): void {
    const reason = `User suspended at ${isoSeconds(this.clock.now())}`;
    for (const p of this.validProcesses(processes)) if (!group.suspended.has(p)) group.suspended.set(p, reason);
  }

  resume(group: SimGroup, processes: string[]): void {
    for (const p of this.validProcesses(processes)) group.suspended.delete(p);
    if (!group.suspended.has('HealthCheck')) {
      const lost = [...group.unnoticed];
      group.unnoticed.clear();
      for (const i of lost) this.notice(i);
    }
    this.reconcile(group);
  }

  setDesiredCapacity(group: SimGroup, desired: number): void {
    if (desired < group.minSize) {
      throw validationError(`New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`);
    }
    if (desired > group.maxSize) {
      throw validationError(`New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`);
    }
    group.desiredCapacity = desired;
    this.reconcile(group);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  private seedGroup(config: GroupConfig): void {
    if (this.groupsByName.has(config.name)) throw new Error(`duplicate Auto Scaling group ${config.name}`);
    const now = new Date(this.clock.now());
    const instanceType = config.instanceType ?? 'r6i.xlarge';
    const versions = [config.version, ...(config.targetVersion ? [config.targetVersion] : [])].map((esVersion, i) => ({
      versionNumber: i + 1,
      imageId: this.amiFor(esVersion),
      instanceType,
      esVersion,
      createTime: now,
    }));
    const template: LaunchTemplate = {
      id: resourceId('lt'),
      name: `${config.name}-lt`,
      createTime: now,
      defaultVersion: versions.length,
      versions,
    };
    this.launchTemplates.push(template);
    const group: SimGroup = {
      name: config.name,
      arn: `arn:aws:autoscaling:${this.region}:${ACCOUNT_ID}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${config.name}`,
      roles: config.roles,
      namePrefix: config.namePrefix ?? config.name,
      instanceType,
      minSize: config.minSize ?? config.size,
      maxSize: config.maxSize ?? config.size * 2,
      desiredCapacity: config.size,
      launchTemplate: template,
      launchTemplateVersion: '$Latest',
      suspended: new Map(),
      tags: Object.entries(config.tags ?? {}).map(([key, value]) => ({ key, value, propagate: true })),
      createdTime: now,
      activities: [],
      unnoticed: new Set(),
    };
    this.groupsByName.set(group.name, group);
    for (let n = 0; n < config.size; n++) {
      const instance = this.createInstance(group, template.versions[0]);
      instance.state = 'running';
      instance.lifecycle = 'InService';
      const spec = this.nodeSpec(instance);
      instance.nodeName = spec.name;
      if (this.cluster.seedNode) this.cluster.seedNode(spec);
      else this.cluster.startNode(spec);
    }
  }

  private launch(group: SimGroup, cause: string): void {
    const version = this.resolveLaunchVersion(group);
    const instance = this.createInstance(group, version);
    if (this.knobs.failBoot > 0) {
      this.knobs.failBoot -= 1;
      instance.bootFails = true;
    }
    instance.launchActivity = this.startActivity(group, `Launching a new EC2 instance: ${instance.instanceId}`, cause, instance);
    this.after(this.knobs.bootMs, () => this.finishBoot(instance));
  }

  private finishBoot(instance: SimInstance): void {
    if (instance.state !== 'pending') return;
    if (instance.bootFails) {
      this.beginShutdown(instance, BOOT_FAILURE);
      this.endActivity(instance.launchActivity, 'Failed', `Instance ${instance.instanceId} failed to boot: ${BOOT_FAILURE.message}`);
      this.after(this.knobs.healthCheckMs, () => this.notice(instance));
      return;
    }
    instance.state = 'running';
    if (instance.inGroup && instance.lifecycle === 'Pending') instance.lifecycle = 'InService';
    this.endActivity(instance.launchActivity, 'Successful');
    const spec = this.nodeSpec(instance);
    instance.nodeName = spec.name;
    this.cluster.startNode(spec);
  }

  private beginShutdown(instance: SimInstance, reason: { code: string; message: string }): void {
    instance.state = 'shutting-down';
    instance.stateReason = reason;
    instance.stateTransitionReason =
      reason === USER_SHUTDOWN ? `User initiated (${new Date(this.clock.now()).toISOString().replace('T', ' ').slice(0, 19)} GMT)` : reason.message;
    if (instance.nodeName !== undefined) {
      this.cluster.stopNode(instance.nodeName);
      instance.nodeName = undefined;
    }
    this.after(this.knobs.shutdownMs, () => this.finishShutdown(instance));
  }

  private finishShutdown(instance: SimInstance): void {
    instance.state = 'terminated';
    instance.terminatedAt = this.clock.now();
    this.endActivity(instance.terminateActivity, 'Successful');
    if (instance.inGroup && instance.lifecycle === 'Terminating') this.leaveGroup(instance);
  }

  /** The group's health check has found the instance gone: take it out of service and restore capacity. */
  private notice(instance: SimInstance): void {
    const group = instance.group;
    if (!instance.inGroup || instance.lifecycle === 'Terminating') return;
    if (group.suspended.has('HealthCheck')) {
      group.unnoticed.add(instance);
      return;
    }
    instance.health = 'Unhealthy';
    const activity = this.startActivity(
      group,
      `Terminating EC2 instance: ${instance.instanceId}`,
      `At ${isoSeconds(this.clock.now())} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`,
      instance,
    );
    this.takeOutOfService(instance, activity);
    this.reconcile(group);
  }

  private takeOutOfService(instance: SimInstance, activity: Activity, via?: TerminationSource): void {
    instance.lifecycle = 'Terminating';
    instance.terminateActivity = activity;
    if (via) this.terminateInstance(instance, via);
    if (instance.state === 'terminated') {
      this.endActivity(activity, 'Successful');
      this.leaveGroup(instance);
    }
  }

  private leaveGroup(instance: SimInstance): void {
    instance.inGroup = false;
    instance.group.unnoticed.delete(instance);
  }

  /** Brings the number of in-service or pending instances back to the desired capacity. */
  private reconcile(group: SimGroup): void {
    if (this.closed) return;
    const alive = this.members(group).filter((i) => i.lifecycle !== 'Terminating');
    const missing = group.desiredCapacity - alive.length;
    if (missing > 0 && !group.suspended.has('Launch')) {
      const cause =
        `At ${isoSeconds(this.clock.now())} an instance was started in response to a difference between desired and actual capacity, ` +
        `increasing the capacity from ${alive.length} to ${group.desiredCapacity}.`;
      for (let n = 0; n < missing; n++) this.launch(group, cause);
    }
    if (missing < 0 && !group.suspended.has('Terminate')) {
      const current = this.resolveLaunchVersion(group).versionNumber;
      // AWS's default termination policy prefers instances on an outdated launch template, then the oldest.
      const victims = alive
        .sort(
          (a, b) =>
            Number(a.launchTemplateVersion === current) - Number(b.launchTemplateVersion === current) ||
            a.launchTime.getTime() - b.launchTime.getTime(),
        )
        .slice(0, -missing);
      for (const victim of victims) {
        const activity = this.startActivity(
          group,
          `Terminating EC2 instance: ${victim.instanceId}`,
          `At ${isoSeconds(this.clock.now())} a user request explicitly set group desired capacity changing the desired capacity from ${alive.length} to ${group.desiredCapacity}.`,
          victim,
        );
        this.takeOutOfService(victim, activity, 'scale-in');
      }
    }
  }

  private createInstance(group: SimGroup, version: LaunchTemplateVersion): SimInstance {
    const subnet = this.leastLoadedSubnet(group);
    const instance: SimInstance = {
      instanceId: resourceId('i'),
      reservationId: resourceId('r'),
      imageId: version.imageId,
      instanceType: version.instanceType,
      availabilityZone: subnet.availabilityZone,
      subnetId: subnet.id,
      privateIp: `${subnet.prefix}.${subnet.nextHost++}`,
      launchTime: new Date(this.clock.now()),
      state: 'pending',
      stateTransitionReason: '',
      tags: new Map(),
      group,
      launchTemplateVersion: version.versionNumber,
      lifecycle: 'Pending',
      health: 'Healthy',
      inGroup: true,
      bootFails: false,
    };
    // Name stands in for the naming script real estates run from user data: one slot number per live instance.
    instance.tags.set('Name', `${group.namePrefix}-${this.freeSlot(group)}`);
    instance.tags.set('Version', version.esVersion);
    for (const t of group.tags) if (t.propagate) instance.tags.set(t.key, t.value);
    instance.tags.set('aws:autoscaling:groupName', group.name);
    instance.tags.set('aws:ec2launchtemplate:id', group.launchTemplate.id);
    instance.tags.set('aws:ec2launchtemplate:version', String(version.versionNumber));
    this.all.set(instance.instanceId, instance);
    return instance;
  }

  private freeSlot(group: SimGroup): number {
    const taken = new Set(
      [...this.all.values()]
        .filter((i) => i.group === group && (i.state === 'pending' || i.state === 'running'))
        .map((i) => i.tags.get('Name')),
    );
    let n = 1;
    while (taken.has(`${group.namePrefix}-${n}`)) n++;
    return n;
  }

  private leastLoadedSubnet(group: SimGroup): Subnet {
    const load = (s: Subnet) =>
      this.members(group).filter((i) => i.subnetId === s.id && i.lifecycle !== 'Terminating').length;
    return this.subnets.reduce((best, s) => (load(s) < load(best) ? s : best));
  }

  private resolveLaunchVersion(group: SimGroup): LaunchTemplateVersion {
    const t = group.launchTemplate;
    const wanted =
      group.launchTemplateVersion === '$Latest'
        ? t.versions.at(-1)!.versionNumber
        : group.launchTemplateVersion === '$Default'
          ? t.defaultVersion
          : Number(group.launchTemplateVersion);
    return t.versions.find((v) => v.versionNumber === wanted)!;
  }

  private nodeSpec(instance: SimInstance): SimNodeSpec {
    return {
      name: instance.tags.get('Name')!,
      ip: instance.privateIp,
      version: instance.tags.get('Version')!,
      roles: instance.group.roles,
      attributes: { instance_id: instance.instanceId },
    };
  }

  private startActivity(group: SimGroup, description: string, cause: string, instance: SimInstance): Activity {
    const activity: Activity = {
      activityId: randomUUID(),
      groupName: group.name,
      description,
      cause,
      details: JSON.stringify({ 'Subnet ID': instance.subnetId, 'Availability Zone': instance.availabilityZone }),
      startTime: new Date(this.clock.now()),
      statusCode: 'InProgress',
    };
    group.activities.push(activity);
    return activity;
  }

  private endActivity(activity: Activity | undefined, status: 'Successful' | 'Failed', message?: string): void {
    if (!activity || activity.statusCode !== 'InProgress') return;
    activity.statusCode = status;
    activity.statusMessage = message;
    activity.endTime = new Date(this.clock.now());
  }

  private validProcesses(processes: string[]): string[] {
    if (processes.length === 0) return [...SCALING_PROCESSES];
    const unknown = processes.find((p) => !(SCALING_PROCESSES as readonly string[]).includes(p));
    if (unknown !== undefined) throw new AwsApiError(400, 'ValidationError', `Process type ${unknown} is not a valid scaling process.`);
    return processes;
  }

  private requireGroup(name: string): SimGroup {
    const group = this.groupsByName.get(name);
    if (!group) throw new Error(`no Auto Scaling group named ${name}`);
    return group;
  }

  private amiFor(esVersion: string): string {
    if (!this.amiByVersion.has(esVersion)) this.amiByVersion.set(esVersion, resourceId('ami'));
    return this.amiByVersion.get(esVersion)!;
  }

  private after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, this.clock.toReal(ms));
    this.timers.add(timer);
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
