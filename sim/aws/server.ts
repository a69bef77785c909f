import http from 'node:http';
import { autoscalingService } from './autoscaling-actions';
import { ec2Service } from './ec2-actions';
import { AwsApiError } from './errors';
import type { Fleet } from './fleet';
import { requestId } from './ids';
import { QueryParams } from './query-protocol';
import type { ServiceApi } from './service';
import { verifySigV4, type Credentials } from './sigv4-verify';

const SERVICES: ServiceApi[] = [ec2Service, autoscalingService];

/**
 * Picks the API a request is for. Signed requests name their service in the credential scope; unsigned ones
 * (which are answered with an auth error in that service's dialect) are recognised by their API version.
 */
function serviceFor(scopeService: string | undefined, params: QueryParams): ServiceApi {
  if (scopeService !== undefined) return SERVICES.find((s) => s.signingName === scopeService) ?? ec2Service;
  return SERVICES.find((s) => s.apiVersion === params.str('Version')) ?? ec2Service;
}

export function createAwsServer(fleet: Fleet, credentials: Credentials): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const id = requestId();
      const { service, status, xml } = answer(fleet, credentials, {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
      }, id);
      res.writeHead(status, {
        'content-type': 'text/xml;charset=UTF-8',
        'x-amzn-requestid': id,
        ...(service === ec2Service ? { server: 'AmazonEC2' } : {}),
      });
      res.end(xml);
    });
  });
}

function answer(
  fleet: Fleet,
  credentials: Credentials,
  req: Parameters<typeof verifySigV4>[0],
  id: string,
): { service: ServiceApi; status: number; xml: string } {
  const params = QueryParams.parse(req.body.toString('utf8'));
  const verdict = verifySigV4(req, credentials);
  const service = serviceFor(verdict.ok ? verdict.service : undefined, params);
  const action = params.str('Action') ?? '';
  try {
    if (!verdict.ok) throw service.authFailure(verdict);
    if (verdict.region !== fleet.region) {
      throw service.authFailure({ ok: false, problem: 'bad-signature', detail: 'Credential should be scoped to a valid region.' });
    }
    if (verdict.service !== service.signingName) {
      const detail = `Credential should be scoped to correct service: '${service.signingName}'.`;
      throw service.authFailure({ ok: false, problem: 'bad-signature', detail });
    }
    const handler = service.actions[action];
    if (!handler) throw service.unknownAction(action);
    if (fleet.knobs.deny.has(action)) throw service.denied(action);
    const fault = fleet.knobs.faults.find((f) => f.action === action && f.times > 0);
    if (fault) {
      fault.times -= 1;
      const error = service.serverFault(fault.status);
      throw fault.code ? new AwsApiError(error.status, fault.code, error.message) : error;
    }
    if (service === ec2Service && params.bool('DryRun')) {
      throw new AwsApiError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    }
    return { service, status: 200, xml: service.response(action, id, handler(params, fleet)) };
  } catch (e) {
    const error = e instanceof AwsApiError ? e : service.serverFault(500);
    if (!(e instanceof AwsApiError)) console.error('aws simulator: unexpected error in', action, e);
    return { service, status: error.status, xml: service.error(error, id) };
  }
}
