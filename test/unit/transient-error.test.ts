/**
 * isTransient decides what the runner retries (src/runner/retry-transient.ts): a throttle, a 429/5xx or a
 * reset connection is waited out; a request the cluster or AWS refused (400/403/404) is not repeated. Checked
 * on error shapes and on the errors the official clients really throw, from a local server that answers as
 * Elasticsearch and AWS do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTransient, isTransient } from '../../src/runner/transient-error';

describe('isTransient on error shapes', () => {
  it.each(['Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'RequestThrottled', 'TooManyRequestsException', 'SlowDown'])(
    'AWS %s (answered with HTTP 400) is transient',
    (name) => {
      expect(isTransient({ name, $fault: 'client', $metadata: { httpStatusCode: 400 } })).toBe(true);
    },
  );

  it.each([429, 500, 502, 503, 504])('Elasticsearch HTTP %i is transient', (statusCode) => {
    expect(isTransient({ name: 'ResponseError', meta: { statusCode } })).toBe(true);
    expect(isTransient({ name: 'InternalError', $metadata: { httpStatusCode: statusCode } })).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 412])('HTTP %i is not', (statusCode) => {
    expect(isTransient({ name: 'ResponseError', meta: { statusCode } })).toBe(false);
    expect(isTransient({ name: 'ValidationError', $metadata: { httpStatusCode: statusCode } })).toBe(false);
  });

  it('AWS refusals that are no throttle are not transient, whatever their status', () => {
    for (const name of ['AccessDenied', 'UnauthorizedOperation', 'ValidationError', 'InvalidInstanceID.NotFound', 'ScalingActivityInProgress']) {
      expect(isTransient({ name, $metadata: { httpStatusCode: 400 } }), name).toBe(false);
    }
  });

  it('connection resets, refusals and timeouts are transient, also wrapped by fetch/undici', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']) {
      expect(isTransient(Object.assign(new Error('socket'), { code })), code).toBe(true);
    }
    for (const name of ['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']) expect(isTransient({ name }), name).toBe(true);
    expect(isTransient(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }))).toBe(true);
    expect(isTransient({ name: 'Outer', cause: { name: 'Middle', cause: { code: 'ECONNRESET' } } })).toBe(true);
    // Not forever down the chain: three wrappers deep is someone else's error, not a socket's.
    expect(isTransient({ cause: { cause: { cause: { code: 'ECONNRESET' } } } })).toBe(false);
  });

  it('anything else is not: plain errors, odd values, a 404 wrapping nothing', () => {
    for (const v of [new Error('boom'), undefined, null, 'ECONNRESET', 503, {}, { code: 'ENOENT' }, { name: 'TypeError' }]) expect(isTransient(v), String(v)).toBe(false);
  });

  it('describeTransient names the error without its body', () => {
    expect(describeTransient({ name: 'ResponseError', meta: { statusCode: 503, body: { secret: 'x' } } })).toBe('ResponseError, HTTP 503');
    expect(describeTransient({ name: 'Throttling', $metadata: { httpStatusCode: 400 } })).toBe('Throttling, HTTP 400');
    expect(describeTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('Error, ECONNRESET');
  });
});

/** Answers by path: /es/<status> as Elasticsearch, /reset by dropping the socket, /aws/<code> as AWS's XML error. */
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/reset')) return void req.socket.destroy();
      const es = /^\/es\/(\d+)/.exec(url);
      if (es) {
        const status = Number(es[1]);
        const text = JSON.stringify({ error: { type: status === 429 ? 'es_rejected_execution_exception' : 'some_exception', reason: 'x' }, status });
        res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        return void res.end(text);
      }
      const aws = /^\/aws\/(\d+)\/([A-Za-z.]+)/.exec(url);
      if (aws) {
        const [, status, code] = aws;
        const xml = body.includes('Version=2011-01-01')
          ? `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`
          : `<Response><Errors><Error><Code>${code}</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>`;
        res.writeHead(Number(status), { 'content-type': 'text/xml' });
        return void res.end(xml);
      }
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const caught = async (p: Promise<unknown>): Promise<unknown> => p.then(() => new Error('no error was thrown'), (e: unknown) => e);

describe('isTransient on what the official clients throw', () => {
  const es = (path: string) => new Client({ node: `${base}${path}`, maxRetries: 0, requestTimeout: 2_000 });

  it.each([429, 502, 503, 504])('Elasticsearch client, HTTP %i: transient', async (status) => {
    const c = es(`/es/${status}`);
    const err = await caught(c.cluster.health());
    await c.close();
    expect(err).toMatchObject({ name: 'ResponseError', meta: { statusCode: status } });
    expect(isTransient(err)).toBe(true);
  });

  it.each([400, 403, 404])('Elasticsearch client, HTTP %i: not transient', async (status) => {
    const c = es(`/es/${status}`);
    const err = await caught(c.cluster.health());
    await c.close();
    expect(err).toMatchObject({ name: 'ResponseError', meta: { statusCode: status } });
    expect(isTransient(err)).toBe(false);
  });

  it('Elasticsearch client, connection reset: transient', async () => {
    const c = es('/reset');
    const err = await caught(c.cluster.health());
    await c.close();
    expect((err as Error).name).toBe('ConnectionError');
    expect(isTransient(err)).toBe(true);
  });

  const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
  const autoscaling = (path: string) => new AutoScalingClient({ region: 'eu-west-1', endpoint: `${base}${path}`, credentials, maxAttempts: 1 });
  const ec2 = (path: string) => new EC2Client({ region: 'eu-west-1', endpoint: `${base}${path}`, credentials, maxAttempts: 1 });

  it('Auto Scaling Throttling and EC2 RequestLimitExceeded (HTTP 400): transient', async () => {
    const a = autoscaling('/aws/400/Throttling');
    const e = ec2('/aws/400/RequestLimitExceeded');
    const [ea, ee] = [await caught(a.send(new DescribeAutoScalingGroupsCommand({}))), await caught(e.send(new DescribeInstancesCommand({})))];
    a.destroy();
    e.destroy();
    expect(ea).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(ee).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 400 } });
    expect(isTransient(ea)).toBe(true);
    expect(isTransient(ee)).toBe(true);
  });

  it('AWS 503 Unavailable and a reset connection: transient; AccessDenied, UnauthorizedOperation, ValidationError: not', async () => {
    const cases: Array<[AutoScalingClient | EC2Client, string, boolean]> = [
      [ec2('/aws/503/Unavailable'), 'Unavailable', true],
      [autoscaling('/aws/403/AccessDenied'), 'AccessDenied', false],
      [ec2('/aws/403/UnauthorizedOperation'), 'UnauthorizedOperation', false],
      [autoscaling('/aws/400/ValidationError'), 'ValidationError', false],
      [ec2('/reset'), '', true],
    ];
    for (const [client, name, transient] of cases) {
      const err = await caught(client instanceof EC2Client ? client.send(new DescribeInstancesCommand({})) : client.send(new DescribeAutoScalingGroupsCommand({})));
      client.destroy();
      if (name) expect((err as Error).name).toBe(name);
      expect(isTransient(err), `${name || 'reset'}: ${describeTransient(err)}`).toBe(transient);
    }
  });
});
