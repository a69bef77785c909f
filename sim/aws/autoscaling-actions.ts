import { AwsApiError, validationError } from './errors';
import type { Fleet } from './fleet';
import { ACCOUNT_ID, type Activity, type SimGroup, type SimInstance } from './model';
import { AUTOSCALING_API_VERSION, QueryParams, queryError, queryResponse } from './query-protocol';
import { PRINCIPAL_ARN, paginate, type ActionHandler, type ServiceApi } from './service';
import type { XmlObject } from './xml';

function requireGroup(p: QueryParams, fleet: Fleet): SimGroup {
  const name = p.str('AutoScalingGroupName');
  if (name === undefined) {
    throw validationError("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null");
  }
  const group = fleet.findGroup(name);
  if (!group) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  return group;
}

function groupTagMatches(group: SimGroup, filter: QueryParams): boolean {
  const name = filter.str('Name') ?? '';
  const values = filter.list('Values');
  const tags = [{ key: 'aws:autoscaling:groupName', value: group.name }, ...group.tags];
  if (name === 'tag-key') return tags.some((t) => values.includes(t.key));
  if (name === 'tag-value') return tags.some((t) => values.includes(t.value));
  if (name.startsWith('tag:')) return tags.some((t) => t.key === name.slice(4) && values.includes(t.value));
  throw validationError(`Filter name '${name}' is not supported.`);
}

function instanceXml(i: SimInstance): XmlObject {
  return {
    InstanceId: i.instanceId,
    InstanceType: i.instanceType,
    AvailabilityZone: i.availabilityZone,
    LifecycleState: i.lifecycle,
    HealthStatus: i.health,
    LaunchTemplate: {
      LaunchTemplateId: i.group.launchTemplate.id,
      LaunchTemplateName: i.group.launchTemplate.name,
      Version: String(i.launchTemplateVersion),
    },
    ProtectedFromScaleIn: false,
  };
}

function groupXml(g: SimGroup, fleet: Fleet): XmlObject {
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchTemplate: { LaunchTemplateId: g.launchTemplate.id, LaunchTemplateName: g.launchTemplate.name, Version: g.launchTemplateVersion },
    MinSize: g.minSize,
    MaxSize: g.maxSize,
    DesiredCapacity: g.desiredCapacity,
    DefaultCooldown: 300,
    AvailabilityZones: fleet.subnets.map((s) => s.availabilityZone),
    LoadBalancerNames: [],
    TargetGroupARNs: [],
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: 300,
    Instances: fleet.members(g).map(instanceXml),
    CreatedTime: g.createdTime,
    SuspendedProcesses: [...g.suspended].map(([ProcessName, SuspensionReason]) => ({ ProcessName, SuspensionReason })),
    VPCZoneIdentifier: fleet.subnets.map((s) => s.id).join(','),
    EnabledMetrics: [],
    Tags: g.tags.map((t) => ({
      ResourceId: g.name,
      ResourceType: 'auto-scaling-group',
      Key: t.key,
      Value: t.value,
      PropagateAtLaunch: t.propagate,
    })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
  };
}

function activityXml(a: Activity, fleet: Fleet): XmlObject {
  return {
    ActivityId: a.activityId,
    AutoScalingGroupName: a.groupName,
    AutoScalingGroupARN: fleet.findGroup(a.groupName)?.arn,
    Description: a.description,
    Cause: a.cause,
    StartTime: a.startTime,
    EndTime: a.endTime,
    StatusCode: a.statusCode,
    StatusMessage: a.statusMessage,
    Progress: a.statusCode === 'InProgress' ? 50 : 100,
    Details: a.details,
  };
}

const invalidToken = () => new AwsApiError(400, 'InvalidNextToken', 'The token is invalid.');

const describeAutoScalingGroups: ActionHandler = (p, fleet) => {
  const names = p.list('AutoScalingGroupNames');
  const wanted = p.structs('Filters');
  // Unknown names are silently absent from the answer, exactly as on AWS.
  const groups = fleet
    .allGroups()
    .filter((g) => names.length === 0 || names.includes(g.name))
    .filter((g) => wanted.every((f) => groupTagMatches(g, f)));
  const { page, nextToken } = paginate(groups, p.int('MaxRecords'), p.str('NextToken'), invalidToken);
  return { AutoScalingGroups: page.map((g) => groupXml(g, fleet)), NextToken: nextToken };
};

const terminateInstanceInAutoScalingGroup: ActionHandler = (p, fleet) => {
  const id = p.str('InstanceId');
  const decrement = p.bool('ShouldDecrementDesiredCapacity');
  if (id === undefined || decrement === undefined) {
    const member = id === undefined ? 'instanceId' : 'shouldDecrementDesiredCapacity';
    throw validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  const instance = fleet.findInstance(id);
  if (!instance) throw validationError(`Instance Id not found - No managed instance found for instance ID: ${id}`);
  return { Activity: activityXml(fleet.terminateInGroup(instance, decrement), fleet) };
};

const suspendProcesses: ActionHandler = (p, fleet) => {
  fleet.suspend(requireGroup(p, fleet), p.list('ScalingProcesses'));
  return undefined;
};

const resumeProcesses: ActionHandler = (p, fleet) => {
  fleet.resume(requireGroup(p, fleet), p.list('ScalingProcesses'));
  return undefined;
};

const setDesiredCapacity: ActionHandler = (p, fleet) => {
  const group = requireGroup(p, fleet);
  const desired = p.int('DesiredCapacity');
  if (desired === undefined || Number.isNaN(desired)) {
    throw validationError("1 validation error detected: Value null at 'desiredCapacity' failed to satisfy constraint: Member must not be null");
  }
  fleet.setDesiredCapacity(group, desired);
  return undefined;
};

const describeScalingActivities: ActionHandler = (p, fleet) => {
  const name = p.str('AutoScalingGroupName');
  const ids = p.list('ActivityIds');
  const groups = name === undefined ? fleet.allGroups() : fleet.allGroups().filter((g) => g.name === name);
  const activities = groups
    .flatMap((g) => g.activities)
    .filter((a) => ids.length === 0 || ids.includes(a.activityId))
    // Newest first; activities started in the same instant keep their order of creation, reversed.
    .sort((a, b) => a.startTime.getTime() - b.startTime.getTime())
    .reverse();
  const { page, nextToken } = paginate(activities, p.int('MaxRecords') ?? 100, p.str('NextToken'), invalidToken);
  return { Activities: page.map((a) => activityXml(a, fleet)), NextToken: nextToken };
};

export const autoscalingService: ServiceApi = {
  signingName: 'autoscaling',
  apiVersion: AUTOSCALING_API_VERSION,
  actions: {
    DescribeAutoScalingGroups: describeAutoScalingGroups,
    TerminateInstanceInAutoScalingGroup: terminateInstanceInAutoScalingGroup,
    SuspendProcesses: suspendProcesses,
    ResumeProcesses: resumeProcesses,
    SetDesiredCapacity: setDesiredCapacity,
    DescribeScalingActivities: describeScalingActivities,
  },
  response: queryResponse,
  error: (e, requestId) => queryError(e.status, e.code, e.message, requestId),
  authFailure(verdict) {
    switch (verdict.problem) {
      case 'missing':
        return new AwsApiError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      case 'malformed':
        return new AwsApiError(400, 'IncompleteSignature', verdict.detail ?? 'The request signature does not conform to AWS standards.');
      case 'unknown-key':
        return new AwsApiError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      case 'expired':
        return new AwsApiError(403, 'SignatureDoesNotMatch', verdict.detail);
      case 'bad-signature':
        return new AwsApiError(
          403,
          'SignatureDoesNotMatch',
          verdict.detail ??
            'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        );
    }
  },
  unknownAction: (action) => new AwsApiError(400, 'InvalidAction', `Could not find operation ${action} for version ${AUTOSCALING_API_VERSION}`),
  denied: (action) =>
    new AwsApiError(
      403,
      'AccessDenied',
      `User: ${PRINCIPAL_ARN} is not authorized to perform: autoscaling:${action} because no identity-based policy allows the autoscaling:${action} action`,
    ),
  serverFault: (status) =>
    status === 500
      ? new AwsApiError(500, 'InternalFailure', 'An internal failure occurred.')
      : new AwsApiError(503, 'ServiceUnavailable', 'Service is unavailable.'),
};
