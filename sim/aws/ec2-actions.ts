import { randomBytes } from 'node:crypto';
import { AwsApiError, assertInstanceIdsWellFormed, instanceNotFound } from './errors';
import type { Fleet } from './fleet';
import { ACCOUNT_ID, INSTANCE_STATE_CODES, type LaunchTemplate, type SimInstance } from './model';
import { EC2_API_VERSION, QueryParams, ec2Error, ec2Response } from './query-protocol';
import { PRINCIPAL_ARN, paginate, type ActionHandler, type ServiceApi } from './service';
import type { XmlObject } from './xml';

interface Filter {
  name: string;
  values: string[];
}

function filters(p: QueryParams): Filter[] {
  return p.structs('Filter').map((f) => ({ name: f.str('Name') ?? '', values: f.list('Value') }));
}

/** EC2 filter values accept `*` and `?` wildcards. */
function globMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

function invalidFilter(name: string): AwsApiError {
  return new AwsApiError(400, 'InvalidParameterValue', `The filter '${name}' is invalid`);
}

function instanceField(i: SimInstance, filter: string): string[] {
  switch (filter) {
    case 'instance-id':
      return [i.instanceId];
    case 'private-ip-address':
      return i.state === 'terminated' ? [] : [i.privateIp];
    case 'instance-state-name':
      return [i.state];
    case 'availability-zone':
      return [i.availabilityZone];
    case 'image-id':
      return [i.imageId];
    case 'tag-key':
      return [...i.tags.keys()];
    case 'tag-value':
      return [...i.tags.values()];
  }
  if (filter.startsWith('tag:')) {
    const value = i.tags.get(filter.slice(4));
    return value === undefined ? [] : [value];
  }
  throw invalidFilter(filter);
}

function matches(i: SimInstance, f: Filter): boolean {
  const fields = instanceField(i, f.name);
  return f.values.some((pattern) => fields.some((v) => globMatches(pattern, v)));
}

function maxResults(p: QueryParams, min: number): number | undefined {
  const max = p.int('MaxResults');
  if (max !== undefined && (max < min || max > 1000)) {
    throw new AwsApiError(400, 'InvalidParameterValue', `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between ${min} and 1000.`);
  }
  return max;
}

const invalidToken = () => new AwsApiError(400, 'InvalidPaginationToken', 'The pagination token is invalid.');

function requireInstances(fleet: Fleet, ids: string[]): SimInstance[] {
  assertInstanceIdsWellFormed(ids);
  const missing = ids.filter((id) => fleet.findInstance(id) === undefined);
  if (missing.length > 0) throw instanceNotFound(missing);
  return ids.map((id) => fleet.findInstance(id)!);
}

function state(name: SimInstance['state']): XmlObject {
  return { code: INSTANCE_STATE_CODES[name], name };
}

function tagSet(tags: Map<string, string>): XmlObject[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

function instanceXml(i: SimInstance, fleet: Fleet): XmlObject {
  // A terminated instance has given its network interface back: no private address, subnet or VPC any more.
  const gone = i.state === 'terminated';
  return {
    instanceId: i.instanceId,
    imageId: i.imageId,
    instanceState: state(i.state),
    privateDnsName: gone ? '' : `ip-${i.privateIp.replace(/\./g, '-')}.${fleet.region}.compute.internal`,
    dnsName: '',
    reason: i.stateTransitionReason,
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: i.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: gone ? undefined : i.subnetId,
    vpcId: gone ? undefined : fleet.vpcId,
    privateIpAddress: gone ? undefined : i.privateIp,
    stateReason: i.stateReason,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    ebsOptimized: true,
    tagSet: tagSet(i.tags),
    virtualizationType: 'hvm',
    hypervisor: 'xen',
  };
}

const describeInstances: ActionHandler = (p, fleet) => {
  const ids = p.list('InstanceId');
  const max = maxResults(p, 5);
  if (ids.length > 0 && max !== undefined) {
    throw new AwsApiError(400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const wanted = filters(p);
  const instances = (ids.length > 0 ? requireInstances(fleet, ids) : fleet.visibleInstances()).filter((i) =>
    wanted.every((f) => matches(i, f)),
  );
  const reservations = new Map<string, SimInstance[]>();
  for (const i of instances) reservations.set(i.reservationId, [...(reservations.get(i.reservationId) ?? []), i]);
  const { page, nextToken } = paginate([...reservations], max, p.str('NextToken'), invalidToken);
  return {
    reservationSet: page.map(([reservationId, members]) => ({
      reservationId,
      ownerId: ACCOUNT_ID,
      groupSet: [],
      instancesSet: members.map((i) => instanceXml(i, fleet)),
    })),
    nextToken,
  };
};

const terminateInstances: ActionHandler = (p, fleet) => {
  const ids = p.list('InstanceId');
  if (ids.length === 0) throw new AwsApiError(400, 'MissingParameter', 'The request must contain the parameter InstanceId');
  const instances = requireInstances(fleet, ids);
  return {
    instancesSet: instances.map((i) => {
      const { previous, current } = fleet.terminateInstance(i, 'ec2');
      return { instanceId: i.instanceId, currentState: state(current), previousState: state(previous) };
    }),
  };
};

function tagField(filter: string, t: { resourceId: string; key: string; value: string }): string {
  switch (filter) {
    case 'resource-id':
      return t.resourceId;
    case 'resource-type':
      return 'instance';
    case 'key':
      return t.key;
    case 'value':
      return t.value;
  }
  throw invalidFilter(filter);
}

const describeTags: ActionHandler = (p, fleet) => {
  const wanted = filters(p);
  const tags = fleet
    .visibleInstances()
    .flatMap((i) => [...i.tags].map(([key, value]) => ({ resourceId: i.instanceId, key, value })))
    .filter((t) => wanted.every((f) => f.values.some((pattern) => globMatches(pattern, tagField(f.name, t)))));
  const { page, nextToken } = paginate(tags, maxResults(p, 5), p.str('NextToken'), invalidToken);
  return {
    tagSet: page.map((t) => ({ resourceId: t.resourceId, resourceType: 'instance', key: t.key, value: t.value })),
    nextToken,
  };
};

const createTags: ActionHandler = (p, fleet) => {
  const ids = p.list('ResourceId');
  if (ids.length === 0) throw new AwsApiError(400, 'MissingParameter', 'The request must contain the parameter ResourceId');
  const tags = p.structs('Tag').map((t) => ({ key: t.str('Key') ?? '', value: t.str('Value') ?? '' }));
  for (const instance of requireInstances(fleet, ids)) {
    for (const { key, value } of tags) instance.tags.set(key, value);
  }
  return { return: true };
};

function findTemplate(p: QueryParams, fleet: Fleet): LaunchTemplate {
  const id = p.str('LaunchTemplateId');
  const name = p.str('LaunchTemplateName');
  if (id === undefined && name === undefined) {
    throw new AwsApiError(400, 'MissingParameter', 'The request must contain the parameter LaunchTemplateName or LaunchTemplateId');
  }
  const template = fleet.findLaunchTemplate({ id, name });
  if (template) return template;
  throw id !== undefined
    ? new AwsApiError(400, 'InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`)
    : new AwsApiError(400, 'InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
}

const describeLaunchTemplateVersions: ActionHandler = (p, fleet) => {
  const template = findTemplate(p, fleet);
  const requested = p.list('LaunchTemplateVersion');
  const latest = template.versions.at(-1)!.versionNumber;
  const numbers = requested.length === 0
    ? template.versions.map((v) => v.versionNumber)
    : requested.map((v) => (v === '$Latest' ? latest : v === '$Default' ? template.defaultVersion : Number(v)));
  const versions = [...new Set(numbers)].map((n) => {
    const version = template.versions.find((v) => v.versionNumber === n);
    if (!version) {
      throw new AwsApiError(400, 'InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${n} for launch template ${template.id}`);
    }
    return version;
  });
  return {
    launchTemplateVersionSet: versions.map((v) => ({
      launchTemplateId: template.id,
      launchTemplateName: template.name,
      versionNumber: v.versionNumber,
      createTime: v.createTime,
      createdBy: `arn:aws:iam::${ACCOUNT_ID}:user/terraform`,
      defaultVersion: v.versionNumber === template.defaultVersion,
      launchTemplateData: {
        imageId: v.imageId,
        instanceType: v.instanceType,
        tagSpecificationSet: [{ resourceType: 'instance', tagSet: [{ key: 'Version', value: v.esVersion }] }],
      },
    })),
  };
};

export const ec2Service: ServiceApi = {
  signingName: 'ec2',
  apiVersion: EC2_API_VERSION,
  actions: {
    DescribeInstances: describeInstances,
    TerminateInstances: terminateInstances,
    DescribeTags: describeTags,
    CreateTags: createTags,
    DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  },
  response: (action, requestId, result) => ec2Response(action, requestId, result ?? {}),
  error: (e, requestId) => ec2Error(e.code, e.message, requestId),
  authFailure(verdict) {
    switch (verdict.problem) {
      case 'missing':
        return new AwsApiError(400, 'MissingParameter', 'The request must contain the parameter AWSAccessKeyId');
      case 'malformed':
        return new AwsApiError(400, 'IncompleteSignature', verdict.detail ?? 'The request signature does not conform to AWS standards.');
      case 'expired':
        return new AwsApiError(400, 'RequestExpired', 'Request has expired.');
      default:
        return new AwsApiError(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    }
  },
  unknownAction: (action) => new AwsApiError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`),
  denied: (action) =>
    new AwsApiError(
      403,
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. User: ${PRINCIPAL_ARN} is not authorized to perform: ec2:${action} ` +
        `because no identity-based policy allows the ec2:${action} action. Encoded authorization failure message: ${randomBytes(48).toString('base64url')}`,
    ),
  serverFault: (status) =>
    status === 500
      ? new AwsApiError(500, 'InternalError', 'An internal error has occurred.')
      : new AwsApiError(503, 'Unavailable', "The server is overloaded and can't handle the request."),
};
