import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeTagsCommand,
  TerminateInstancesCommand,
  paginateDescribeInstances,
  type DescribeInstancesCommandInput,
  type Instance,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startFixture, waitFor, type Fixture } from './fixture';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

async function describeInstances(input: DescribeInstancesCommandInput): Promise<Instance[]> {
  const out = await f.ec2.send(new DescribeInstancesCommand(input));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

const tag = (i: Instance, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;

describe('DescribeInstances', () => {
  it('lists every seeded instance as running, with AWS-shaped ids, addresses and tags', async () => {
    const out = await f.ec2.send(new DescribeInstancesCommand({}));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect(instances).toHaveLength(7);
    for (const i of instances) {
      expect(i.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
      expect(i.State).toEqual({ Code: 16, Name: 'running' });
      expect(i.PrivateIpAddress).toMatch(/^10\.0\.[123]\.\d+$/);
      expect(i.LaunchTime).toBeInstanceOf(Date);
      expect(i.Placement?.AvailabilityZone).toMatch(/^eu-west-1[abc]$/);
      expect(tag(i, 'Version')).toBe('7.17.25');
      expect(tag(i, 'Cluster')).toBe('logs');
    }
    expect(instances.map((i) => tag(i, 'Name')).sort()).toEqual([
      'es-data-1', 'es-data-2', 'es-data-3', 'es-data-4', 'es-master-1', 'es-master-2', 'es-master-3',
    ]);
    expect(instances.filter((i) => tag(i, 'aws:autoscaling:groupName') === 'es-master')).toHaveLength(3);
  });

  it('filters by tag:<Key> (with wildcards), tag-key, instance-id, private-ip-address and instance-state-name', async () => {
    const masters = await describeInstances({ Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: ['es-master'] }] });
    expect(masters).toHaveLength(3);
    expect(await describeInstances({ Filters: [{ Name: 'tag:Name', Values: ['es-data-*'] }] })).toHaveLength(4);
    expect(await describeInstances({ Filters: [{ Name: 'tag:Name', Values: ['es-data-1', 'es-master-?'] }] })).toHaveLength(4);
    expect(await describeInstances({ Filters: [{ Name: 'tag-key', Values: ['Cluster'] }] })).toHaveLength(7);
    expect(await describeInstances({ Filters: [{ Name: 'tag-key', Values: ['Nope'] }] })).toHaveLength(0);
    const [one] = masters;
    expect((await describeInstances({ Filters: [{ Name: 'instance-id', Values: [one.InstanceId!] }] })).map((i) => i.InstanceId)).toEqual([one.InstanceId]);
    expect((await describeInstances({ Filters: [{ Name: 'private-ip-address', Values: [one.PrivateIpAddress!] }] })).map((i) => i.InstanceId)).toEqual([one.InstanceId]);
    expect(await describeInstances({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] })).toHaveLength(7);
    expect(await describeInstances({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'stopped'] }] })).toHaveLength(0);
    // Filters combine with AND, values within one filter with OR.
    expect(
      await describeInstances({
        Filters: [
          { Name: 'tag:aws:autoscaling:groupName', Values: ['es-data'] },
          { Name: 'private-ip-address', Values: [one.PrivateIpAddress!] },
        ],
      }),
    ).toHaveLength(0);
  });

  it('answers by InstanceIds and reports unknown or malformed ids as typed errors', async () => {
    const [one] = await describeInstances({});
    expect((await describeInstances({ InstanceIds: [one.InstanceId!] })).map((i) => i.InstanceId)).toEqual([one.InstanceId]);

    const notFound = await rejection(f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [one.InstanceId!, 'i-0123456789abcdef0'] })));
    expect(notFound.name).toBe('InvalidInstanceID.NotFound');
    expect(notFound.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    expect(notFound.$metadata.httpStatusCode).toBe(400);
    expect(notFound.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const malformed = await rejection(f.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['web-1'] })));
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');

    const badFilter = await rejection(f.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'flavour', Values: ['x'] }] })));
    expect(badFilter.name).toBe('InvalidParameterValue');
  });

  it('pages with MaxResults/NextToken through the SDK paginator', async () => {
    const pages = [];
    for await (const page of paginateDescribeInstances({ client: f.ec2, pageSize: 5 }, {})) pages.push(page);
    expect(pages.map((p) => p.Reservations?.length)).toEqual([5, 2]);
  });
});

describe('tags', () => {
  it('DescribeTags filters by resource-id and key; CreateTags adds and overwrites', async () => {
    const [one] = await describeInstances({ Filters: [{ Name: 'tag:Name', Values: ['es-master-1'] }] });
    const byResource = await f.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [one.InstanceId!] }] }));
    expect(byResource.Tags?.find((t) => t.Key === 'Name')).toEqual({ ResourceId: one.InstanceId, ResourceType: 'instance', Key: 'Name', Value: 'es-master-1' });

    const versions = await f.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['Version'] }] }));
    expect(versions.Tags).toHaveLength(7);

    await f.ec2.send(new CreateTagsCommand({ Resources: [one.InstanceId!], Tags: [{ Key: 'Drained', Value: 'yes' }, { Key: 'Cluster', Value: 'other' }] }));
    const after = await f.ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [one.InstanceId!] }, { Name: 'key', Values: ['Drained', 'Cluster'] }] }),
    );
    expect(Object.fromEntries((after.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({ Drained: 'yes', Cluster: 'other' });

    // Renaming an instance does not rename the node it runs: terminating it stops the node it started.
    await f.ec2.send(new CreateTagsCommand({ Resources: [one.InstanceId!], Tags: [{ Key: 'Name', Value: 'renamed' }] }));
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [one.InstanceId!] }));
    expect(f.cluster.stopped.map((s) => s.name)).toContain('es-master-1');

    const err = await rejection(f.ec2.send(new CreateTagsCommand({ Resources: ['i-0000000000000000a'], Tags: [{ Key: 'k', Value: 'v' }] })));
    expect(err.name).toBe('InvalidInstanceID.NotFound');
  });
});

describe('DescribeLaunchTemplateVersions', () => {
  it('resolves $Latest and $Default by name or id; the target version travels as a Version tag spec', async () => {
    const latest = await f.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'es-data-lt', Versions: ['$Latest'] }));
    const [v] = latest.LaunchTemplateVersions!;
    expect(v.LaunchTemplateId).toMatch(/^lt-[0-9a-f]{17}$/);
    expect(v.VersionNumber).toBe(2);
    expect(v.DefaultVersion).toBe(true);
    expect(v.LaunchTemplateData?.ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(v.LaunchTemplateData?.TagSpecifications).toEqual([{ ResourceType: 'instance', Tags: [{ Key: 'Version', Value: '8.15.0' }] }]);

    const all = await f.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: v.LaunchTemplateId }));
    expect(all.LaunchTemplateVersions?.map((x) => x.VersionNumber)).toEqual([1, 2]);
    expect(all.LaunchTemplateVersions?.[0].LaunchTemplateData?.TagSpecifications?.[0].Tags).toEqual([{ Key: 'Version', Value: '7.17.25' }]);

    const masters = await f.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'es-master-lt', Versions: ['$Default'] }));
    expect(masters.LaunchTemplateVersions?.[0].VersionNumber).toBe(1);

    const missing = await rejection(f.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'nope' })));
    expect(missing.name).toBe('InvalidLaunchTemplateName.NotFoundException');
  });
});

describe('TerminateInstances', () => {
  it('walks running → shutting-down → terminated, stops the node at once and keeps the instance visible', async () => {
    const [victim] = await describeInstances({ Filters: [{ Name: 'tag:Name', Values: ['es-master-3'] }] });
    const stoppedBefore = f.cluster.stopped.length;
    const out = await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.InstanceId!] }));
    expect(out.TerminatingInstances).toEqual([
      { InstanceId: victim.InstanceId, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 32, Name: 'shutting-down' } },
    ]);
    expect(f.cluster.stopped.slice(stoppedBefore).map((s) => s.name)).toEqual(['es-master-3']);

    const again = await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.InstanceId!] }));
    expect(again.TerminatingInstances?.[0].PreviousState?.Name).toBe('shutting-down');

    const terminated = await waitFor(async () => {
      const [i] = await describeInstances({ InstanceIds: [victim.InstanceId!] });
      return i.State?.Name === 'terminated' && i;
    });
    expect(terminated.State?.Code).toBe(48);
    expect(terminated.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(terminated.PrivateIpAddress).toBeUndefined();
    expect(f.cluster.stopped.slice(stoppedBefore)).toHaveLength(1);
    expect(f.aws.sim.terminations.filter((t) => t.instanceId === victim.InstanceId).map((t) => [t.via, t.previousState])).toEqual([
      ['ec2', 'running'],
      ['ec2', 'shutting-down'],
    ]);

    const unknown = await rejection(f.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0aaaaaaaaaaaaaaaa'] })));
    expect(unknown.name).toBe('InvalidInstanceID.NotFound');
    const malformed = await rejection(f.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-xyz'] })));
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');
  });

  it('forgets terminated instances after the retention period', async () => {
    const [victim] = await describeInstances({ Filters: [{ Name: 'tag:Name', Values: ['es-data-4'] }] });
    f.aws.sim.knobs.terminatedRetentionMs = 30_000;
    await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.InstanceId!] }));
    const err = await waitFor(async () => {
      try {
        await describeInstances({ InstanceIds: [victim.InstanceId!] });
        return undefined;
      } catch (e) {
        return e as Error;
      }
    });
    expect(err.name).toBe('InvalidInstanceID.NotFound');
  });
});
