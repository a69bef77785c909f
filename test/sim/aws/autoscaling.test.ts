import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection, startFixture, waitFor, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());

async function group(name: string): Promise<AutoScalingGroup> {
  const out = await f.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups![0];
}

function instanceNamed(name: string) {
  return f.aws.sim.instances().find((i) => i.name === name && i.state === 'running')!;
}

const inService = (g: AutoScalingGroup) => (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService');

describe('DescribeAutoScalingGroups', () => {
  it('describes both groups with capacity, launch template, instances and tags', async () => {
    f = await startFixture();
    const out = await f.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual(['es-master', 'es-data']);
    const data = out.AutoScalingGroups![1];
    expect(data).toMatchObject({ DesiredCapacity: 4, MinSize: 4, MaxSize: 8, SuspendedProcesses: [], HealthCheckType: 'EC2' });
    expect(data.LaunchTemplate).toMatchObject({ LaunchTemplateName: 'es-data-lt', Version: '$Latest' });
    expect(data.LaunchTemplate?.LaunchTemplateId).toMatch(/^lt-/);
    expect(data.Instances).toHaveLength(4);
    for (const i of data.Instances!) {
      expect(i).toMatchObject({ LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false });
      expect(i.LaunchTemplate).toMatchObject({ LaunchTemplateName: 'es-data-lt', Version: '1' });
    }
    expect(data.Tags).toEqual([{ ResourceId: 'es-data', ResourceType: 'auto-scaling-group', Key: 'Cluster', Value: 'logs', PropagateAtLaunch: true }]);
    expect(data.CreatedTime).toBeInstanceOf(Date);

    const byTag = await f.autoscaling.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: ['es-master'] }] }));
    expect(byTag.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual(['es-master']);
    const none = await f.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['nope'] }));
    expect(none.AutoScalingGroups).toEqual([]);
    expect(f.cluster.seeded.map((s) => s.name)).toHaveLength(7);
    expect(f.cluster.seeded.find((s) => s.name === 'es-data-1')).toMatchObject({ version: '7.17.25', roles: ['data', 'ingest'] });
  });
});

describe('replacement', () => {
  it('replaces an instance terminated through EC2 from the current launch template, after the health check', async () => {
    f = await startFixture();
    const victim = instanceNamed('es-data-2');
    const t0 = f.clock.now();
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.instanceId] }));
    // Until its health check the group still believes the instance is in service.
    expect(inService(await group('es-data')).map((i) => i.InstanceId)).toContain(victim.instanceId);

    const started = await waitFor(() => f.cluster.started.find((s) => s.name === 'es-data-2'));
    expect(started.version).toBe('8.15.0');
    expect(started.roles).toEqual(['data', 'ingest']);
    expect(started.at - t0).toBeGreaterThanOrEqual(20_000 + 30_000);
    const replacement = f.aws.sim.instances().find((i) => i.instanceId === started.attributes?.instance_id)!;
    expect(replacement).toMatchObject({ state: 'running', version: '8.15.0', launchTemplateVersion: 2, privateIp: started.ip });
    expect(replacement.instanceId).not.toBe(victim.instanceId);

    const g = await waitFor(async () => {
      const d = await group('es-data');
      return !d.Instances?.some((i) => i.InstanceId === victim.instanceId) && d;
    });
    expect(inService(g)).toHaveLength(4);
    expect(g.Instances?.find((i) => i.InstanceId === replacement.instanceId)?.LaunchTemplate?.Version).toBe('2');
    expect(g.DesiredCapacity).toBe(4);

    const [i] = (await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [replacement.instanceId] }))).Reservations![0].Instances!;
    expect(i.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Version', Value: '8.15.0' },
        { Key: 'Name', Value: 'es-data-2' },
        { Key: 'aws:autoscaling:groupName', Value: 'es-data' },
        { Key: 'Cluster', Value: 'logs' },
      ]),
    );
    expect(i.ImageId).not.toBe(victim.imageId);

    const activities = await f.autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'es-data' }));
    expect(activities.Activities?.map((a) => [a.Description, a.StatusCode])).toEqual([
      [`Launching a new EC2 instance: ${replacement.instanceId}`, 'Successful'],
      [`Terminating EC2 instance: ${victim.instanceId}`, 'Successful'],
    ]);
  });

  it('TerminateInstanceInAutoScalingGroup returns an Activity; without decrement the group replaces, with it the group shrinks', async () => {
    f = await startFixture();
    f.aws.sim.setLaunchTemplateVersion('es-master', { version: '8.15.0' });
    const victim = instanceNamed('es-master-1');
    const out = await f.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim.instanceId, ShouldDecrementDesiredCapacity: false }));
    expect(out.Activity).toMatchObject({ AutoScalingGroupName: 'es-master', StatusCode: 'InProgress', Description: `Terminating EC2 instance: ${victim.instanceId}` });
    expect(out.Activity?.ActivityId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Activity?.StartTime).toBeInstanceOf(Date);
    expect((await group('es-master')).Instances?.find((i) => i.InstanceId === victim.instanceId)?.LifecycleState).toBe('Terminating');
    expect(f.cluster.stopped.map((s) => s.name)).toEqual(['es-master-1']);
    const started = await waitFor(() => f.cluster.started.find((s) => s.name === 'es-master-1'));
    expect(started.version).toBe('8.15.0');

    await f.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'es-master', DesiredCapacity: 3 }));
    const data = instanceNamed('es-data-1');
    await f.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: data.instanceId, ShouldDecrementDesiredCapacity: false }));
    const tooSmall = await rejection(
      f.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceNamed('es-master-2').instanceId, ShouldDecrementDesiredCapacity: true })),
    );
    expect(tooSmall.name).toBe('ValidationError');
    expect(tooSmall.message).toMatch(/min size/);

    const unknown = await rejection(
      f.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: 'i-0123456789abcdef0', ShouldDecrementDesiredCapacity: false })),
    );
    expect(unknown.name).toBe('ValidationError');
    expect(unknown.$metadata.httpStatusCode).toBe(400);
  });

  it('ShouldDecrementDesiredCapacity=true lowers desired capacity and launches nothing', async () => {
    f = await startFixture({ groups: [{ name: 'es-data', roles: ['data'], size: 3, minSize: 1, version: '7.17.25' }] });
    const victim = instanceNamed('es-data-3');
    const out = await f.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim.instanceId, ShouldDecrementDesiredCapacity: true }));
    expect(out.Activity?.Cause).toMatch(/shrinking the capacity from 3 to 2/);
    expect((await group('es-data')).DesiredCapacity).toBe(2);
    await waitFor(() => f.aws.sim.groups()[0].instances.length === 2);
    await f.clock.sleep(80_000);
    expect(f.cluster.started).toHaveLength(0);
    expect(f.aws.sim.instances().filter((i) => i.state === 'running')).toHaveLength(2);
  });

  it('does not replace while Launch is suspended, and catches up on ResumeProcesses', async () => {
    f = await startFixture();
    await f.autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'es-data', ScalingProcesses: ['Launch', 'AZRebalance'] }));
    const g = await group('es-data');
    expect(g.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['Launch', 'AZRebalance']);
    expect(g.SuspendedProcesses?.[0].SuspensionReason).toMatch(/^User suspended at /);

    const victim = instanceNamed('es-data-1');
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.instanceId] }));
    await f.clock.sleep(80_000);
    expect(f.cluster.started).toHaveLength(0);
    const after = await group('es-data');
    expect(after.Instances).toHaveLength(3);
    expect(after.DesiredCapacity).toBe(4);

    await f.autoscaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'es-data', ScalingProcesses: ['Launch'] }));
    expect((await group('es-data')).SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['AZRebalance']);
    const started = await waitFor(() => f.cluster.started[0]);
    expect(started).toMatchObject({ name: 'es-data-1', version: '8.15.0' });

    const bad = await rejection(f.autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'es-data', ScalingProcesses: ['Nap'] })));
    expect(bad.name).toBe('ValidationError');
    const noGroup = await rejection(f.autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'nope' })));
    expect(noGroup.name).toBe('ValidationError');
  });

  it('with HealthCheck suspended the group keeps counting a terminated instance as InService', async () => {
    f = await startFixture();
    await f.autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'es-master', ScalingProcesses: ['HealthCheck'] }));
    const victim = instanceNamed('es-master-2');
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.instanceId] }));
    await f.clock.sleep(60_000);
    expect(inService(await group('es-master')).map((i) => i.InstanceId)).toContain(victim.instanceId);
    expect(f.aws.sim.instances().find((i) => i.instanceId === victim.instanceId)?.state).toBe('terminated');
    await f.autoscaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'es-master' }));
    await waitFor(() => f.cluster.started.find((s) => s.name === 'es-master-2'));
  });

  it('failBoot: the launched instance dies in pending with Server.InternalError and the group launches another', async () => {
    f = await startFixture({ knobs: { failBoot: 1 } });
    const victim = instanceNamed('es-data-3');
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.instanceId] }));
    const started = await waitFor(() => f.cluster.started[0]);
    expect(started.name).toBe('es-data-3');
    const failed = f.aws.sim.instances().find((i) => i.stateReason === 'Server.InternalError')!;
    expect(failed).toBeDefined();
    expect(failed.instanceId).not.toBe(started.attributes?.instance_id);
    const [desc] = (await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [failed.instanceId] }))).Reservations![0].Instances!;
    expect(desc.StateReason).toEqual({ Code: 'Server.InternalError', Message: 'Server.InternalError: Internal error on launch' });
    expect(['shutting-down', 'terminated']).toContain(desc.State?.Name);
    // The node of an instance that never booted was never started, so there is nothing to stop.
    expect(f.cluster.stopped.map((s) => s.name)).toEqual(['es-data-3']);
    expect(f.aws.sim.knobs.failBoot).toBe(0);
    const activities = await f.autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'es-data' }));
    expect(activities.Activities?.some((a) => a.StatusCode === 'Failed' && a.Description?.includes(failed.instanceId))).toBe(true);
  });

  it('SetDesiredCapacity scales out, then in preferring instances on an outdated launch template', async () => {
    f = await startFixture();
    await f.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'es-data', DesiredCapacity: 5 }));
    const added = await waitFor(() => f.cluster.started[0]);
    expect(added).toMatchObject({ name: 'es-data-5', version: '8.15.0' });
    await f.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'es-data', DesiredCapacity: 4 }));
    expect(f.aws.sim.terminations).toHaveLength(1);
    expect(f.aws.sim.terminations[0].via).toBe('scale-in');
    const removed = f.aws.sim.instances().find((i) => i.instanceId === f.aws.sim.terminations[0].instanceId)!;
    expect(removed.version).toBe('7.17.25');
    const above = await rejection(f.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'es-data', DesiredCapacity: 99 })));
    expect(above.name).toBe('ValidationError');
    expect(above.message).toMatch(/above max value 8/);
  });
});
