import { AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { AwsUpgradePort, GroupFacts, InstanceFacts } from '../../jobs/upgrade/ports';

/** The upgrade job's EC2 and Auto Scaling calls. */
export class AwsUpgradeAdapter implements AwsUpgradePort {
  constructor(private readonly clients: { ec2: EC2Client; autoscaling: AutoScalingClient }) {}

  async groups(names: string[]): Promise<GroupFacts[]> {
    const r = await this.clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }));
    return (r.AutoScalingGroups ?? []).map((g) => {
      const lt = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
      return {
        name: g.AutoScalingGroupName ?? '',
        desiredCapacity: g.DesiredCapacity ?? 0,
        instances: (g.Instances ?? []).map((i) => ({ id: i.InstanceId ?? '', lifecycle: String(i.LifecycleState ?? '') })),
        suspendedProcesses: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? ''),
        launchTemplate: lt ? { id: lt.LaunchTemplateId, name: lt.LaunchTemplateName, version: lt.Version } : undefined,
      };
    });
  }

  async launchTemplateTag(t: NonNullable<GroupFacts['launchTemplate']>, tagKey: string): Promise<string | undefined> {
    const r = await this.clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: t.id,
        LaunchTemplateName: t.id ? undefined : t.name,
        Versions: [t.version ?? '$Default'],
      }),
    );
    const specs = r.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.TagSpecifications ?? [];
    return specs.filter((s) => s.ResourceType === 'instance').flatMap((s) => s.Tags ?? []).find((tag) => tag.Key === tagKey)?.Value;
  }

  async instances(ids: string[]): Promise<InstanceFacts[]> {
    if (ids.length === 0) return [];
    try {
      return await this.describe(ids);
    } catch (err) {
      // One unknown id fails the whole call; ask one by one and leave the unknown ones out.
      if (!String((err as { name?: string }).name).startsWith('InvalidInstanceID')) throw err;
      const each = await Promise.all(ids.map((id) => this.describe([id]).catch((e) => (String((e as { name?: string }).name).startsWith('InvalidInstanceID') ? [] : Promise.reject(e)))));
      return each.flat();
    }
  }

  async terminate(instanceId: string, via: 'autoscaling' | 'ec2'): Promise<void> {
    if (via === 'autoscaling') {
      // Keeping the desired capacity is what makes the group launch the replacement.
      await this.clients.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: false }));
    } else {
      await this.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    }
  }

  private async describe(ids: string[]): Promise<InstanceFacts[]> {
    const out: InstanceFacts[] = [];
    let token: string | undefined;
    do {
      const r = await this.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids, NextToken: token }));
      for (const res of r.Reservations ?? []) {
        for (const i of res.Instances ?? []) {
          out.push({
            id: i.InstanceId ?? '',
            state: String(i.State?.Name ?? 'unknown'),
            privateIp: i.PrivateIpAddress,
            tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
            launchTime: i.LaunchTime?.getTime(),
          });
        }
      }
      token = r.NextToken;
    } while (token);
    return out;
  }
}
