import { DescribeScalingActivitiesCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';

export interface TerminationActivity {
  activityId: string;
  group: string;
  instanceId: string;
  startTime?: number;
  cause: string;
}

const TERMINATING = /^Terminating EC2 instance: (i-[0-9a-f]+)/;

/**
 * Every "Terminating EC2 instance" activity of the groups, as AWS keeps them (six weeks on AWS). A second
 * activity for an instance that already had one is the public trace of a second termination request.
 */
export async function terminationActivities(autoscaling: AutoScalingClient, groups: string[]): Promise<TerminationActivity[]> {
  const out: TerminationActivity[] = [];
  for (const group of groups) {
    let token: string | undefined;
    do {
      const r = await autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group, NextToken: token, MaxRecords: 100 }));
      for (const a of r.Activities ?? []) {
        const m = TERMINATING.exec(a.Description ?? '');
        if (m && a.ActivityId) out.push({ activityId: a.ActivityId, group, instanceId: m[1], startTime: a.StartTime?.getTime(), cause: a.Cause ?? '' });
      }
      token = r.NextToken;
    } while (token);
  }
  return out;
}

export interface InstanceState {
  instanceId: string;
  name?: string;
  state: string;
}

/** The groups' instances and their EC2 states, terminated ones included while EC2 still lists them (~1 h). */
export async function groupInstances(ec2: EC2Client, groups: string[]): Promise<InstanceState[]> {
  const out: InstanceState[] = [];
  let token: string | undefined;
  do {
    const r = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: groups }], NextToken: token, MaxResults: 1000 }),
    );
    for (const res of r.Reservations ?? []) {
      for (const i of res.Instances ?? []) {
        if (!i.InstanceId) continue;
        out.push({ instanceId: i.InstanceId, name: i.Tags?.find((t) => t.Key === 'Name')?.Value, state: i.State?.Name ?? 'unknown' });
      }
    }
    token = r.NextToken;
  } while (token);
  return out;
}
