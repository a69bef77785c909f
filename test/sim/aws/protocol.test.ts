import { AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startFixture, type Fixture } from './fixture';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

const xml = new XMLParser();

function clients(overrides: { secretAccessKey?: string; accessKeyId?: string; region?: string; maxAttempts?: number }) {
  const config = {
    region: overrides.region ?? f.aws.region,
    endpoint: f.aws.url,
    credentials: { ...f.aws.credentials, ...overrides },
    maxAttempts: overrides.maxAttempts,
  };
  return { ec2: new EC2Client(config), autoscaling: new AutoScalingClient(config) };
}

/** Sends a form body signed by the SDK's own signer, optionally as if signed at another time. */
async function signedPost(service: 'ec2' | 'autoscaling', body: string, signingDate = new Date()) {
  const url = new URL(f.aws.url);
  const signer = new SignatureV4({ credentials: f.aws.credentials, region: f.aws.region, service, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    },
    { signingDate },
  );
  return fetch(f.aws.url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
}

const EC2_BODY = 'Action=DescribeInstances&Version=2016-11-15';
const ASG_BODY = 'Action=DescribeAutoScalingGroups&Version=2011-01-01';

describe('request signing', () => {
  it('rejects unsigned requests in each service dialect, with the request id in header and body', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ec2 = await fetch(f.aws.url, { method: 'POST', headers: form, body: EC2_BODY });
    expect(ec2.status).toBe(400);
    const ec2Body = xml.parse(await ec2.text());
    expect(ec2Body.Response.Errors.Error).toEqual({ Code: 'MissingParameter', Message: 'The request must contain the parameter AWSAccessKeyId' });
    expect(ec2Body.Response.RequestID).toBe(ec2.headers.get('x-amzn-requestid'));

    const asg = await fetch(f.aws.url, { method: 'POST', headers: form, body: ASG_BODY });
    expect(asg.status).toBe(403);
    const asgBody = xml.parse(await asg.text());
    expect(asgBody.ErrorResponse.Error).toEqual({ Type: 'Sender', Code: 'MissingAuthenticationToken', Message: 'Request is missing Authentication Token' });
    expect(asgBody.ErrorResponse.RequestId).toBe(asg.headers.get('x-amzn-requestid'));
  });

  it('accepts a request signed by the SDK signer directly and answers with the service envelope', async () => {
    const res = await signedPost('autoscaling', ASG_BODY);
    expect(res.status).toBe(200);
    const body = xml.parse(await res.text());
    expect(body.DescribeAutoScalingGroupsResponse.ResponseMetadata.RequestId).toBe(res.headers.get('x-amzn-requestid'));
    const ec2 = xml.parse(await (await signedPost('ec2', EC2_BODY)).text());
    expect(ec2.DescribeInstancesResponse.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a wrong secret: AuthFailure from EC2, SignatureDoesNotMatch from Auto Scaling', async () => {
    const bad = clients({ secretAccessKey: 'not-the-secret' });
    const ec2 = await rejection(bad.ec2.send(new DescribeInstancesCommand({})));
    expect(ec2.name).toBe('AuthFailure');
    expect(ec2.$metadata.httpStatusCode).toBe(401);
    const asg = await rejection(bad.autoscaling.send(new DescribeAutoScalingGroupsCommand({})));
    expect(asg.name).toBe('SignatureDoesNotMatch');
    expect(asg.$metadata.httpStatusCode).toBe(403);
  });

  it('rejects an unknown access key and a foreign region', async () => {
    const stranger = clients({ accessKeyId: 'AKIASTRANGER0000000' });
    expect((await rejection(stranger.ec2.send(new DescribeInstancesCommand({})))).name).toBe('AuthFailure');
    expect((await rejection(stranger.autoscaling.send(new DescribeAutoScalingGroupsCommand({})))).name).toBe('InvalidClientTokenId');
    const elsewhere = clients({ region: 'us-east-1' });
    expect((await rejection(elsewhere.ec2.send(new DescribeInstancesCommand({})))).name).toBe('AuthFailure');
  });

  it('rejects signatures more than five minutes old', async () => {
    const old = new Date(Date.now() - 6 * 60_000);
    const ec2 = await signedPost('ec2', EC2_BODY, old);
    expect(ec2.status).toBe(400);
    expect(xml.parse(await ec2.text()).Response.Errors.Error.Code).toBe('RequestExpired');
    const asg = await signedPost('autoscaling', ASG_BODY, old);
    expect(asg.status).toBe(403);
    expect(xml.parse(await asg.text()).ErrorResponse.Error.Message).toMatch(/^Signature expired: /);
    expect((await signedPost('ec2', EC2_BODY, new Date(Date.now() - 4 * 60_000))).status).toBe(200);
  });

  it('answers InvalidAction for an action the service does not have', async () => {
    const res = await signedPost('ec2', 'Action=RunInstances&Version=2016-11-15');
    expect(res.status).toBe(400);
    expect(xml.parse(await res.text()).Response.Errors.Error.Code).toBe('InvalidAction');
  });
});

describe('knobs', () => {
  it('deny answers UnauthorizedOperation (EC2) and AccessDenied (Auto Scaling) and changes nothing', async () => {
    const victim = f.aws.sim.instances()[0];
    f.aws.sim.knobs.deny = new Set(['TerminateInstances', 'TerminateInstanceInAutoScalingGroup']);
    try {
      const ec2 = await rejection(f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.instanceId] })));
      expect(ec2.name).toBe('UnauthorizedOperation');
      expect(ec2.$metadata.httpStatusCode).toBe(403);
      expect(ec2.message).toMatch(/^You are not authorized to perform this operation\./);
      const dry = await rejection(f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.instanceId], DryRun: true })));
      expect(dry.name).toBe('UnauthorizedOperation');
      const asg = await rejection(
        f.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim.instanceId, ShouldDecrementDesiredCapacity: false })),
      );
      expect(asg.name).toBe('AccessDenied');
      expect(asg.message).toMatch(/not authorized to perform: autoscaling:TerminateInstanceInAutoScalingGroup/);
    } finally {
      f.aws.sim.knobs.deny.clear();
    }
    const dry = await rejection(f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.instanceId], DryRun: true })));
    expect(dry.name).toBe('DryRunOperation');
    expect(dry.$metadata.httpStatusCode).toBe(412);
    expect(f.aws.sim.terminations).toEqual([]);
    expect(f.aws.sim.instances().every((i) => i.state === 'running')).toBe(true);
  });

  it('faults fail the chosen action N times with the service’s 5xx codes; the SDK retries them', async () => {
    const once = clients({ maxAttempts: 1 });
    f.aws.sim.knobs.faults.push({ action: 'DescribeInstances', status: 503, times: 1 }, { action: 'DescribeAutoScalingGroups', status: 500, times: 1 });
    const ec2 = await rejection(once.ec2.send(new DescribeInstancesCommand({})));
    expect(ec2.name).toBe('Unavailable');
    expect(ec2.$fault).toBe('server');
    expect(ec2.$metadata.httpStatusCode).toBe(503);
    expect((await once.ec2.send(new DescribeInstancesCommand({}))).Reservations).toHaveLength(7);
    const asg = await rejection(once.autoscaling.send(new DescribeAutoScalingGroupsCommand({})));
    expect(asg.name).toBe('InternalFailure');

    f.aws.sim.knobs.faults.push({ action: 'DescribeInstances', status: 503, code: 'RequestLimitExceeded', times: 2 });
    const retried = await f.ec2.send(new DescribeInstancesCommand({}));
    expect(retried.$metadata.attempts).toBe(3);
    expect(f.aws.sim.knobs.faults.every((rule) => rule.times === 0)).toBe(true);
  });
});
