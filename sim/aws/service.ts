import type { AwsApiError } from './errors';
import type { Fleet } from './fleet';
import type { QueryParams } from './query-protocol';
import type { Verdict } from './sigv4-verify';
import type { XmlObject } from './xml';

/** One action: reads the request's parameters, drives the fleet, returns the result members (or none). */
export type ActionHandler = (params: QueryParams, fleet: Fleet) => XmlObject | undefined;

/** Everything in which EC2 and Auto Scaling differ on the wire, beyond their actions. */
export interface ServiceApi {
  /** The SigV4 signing name, also the credential scope's service. */
  signingName: 'ec2' | 'autoscaling';
  apiVersion: string;
  actions: Record<string, ActionHandler>;
  response(action: string, requestId: string, result: XmlObject | undefined): string;
  error(error: AwsApiError, requestId: string): string;
  authFailure(verdict: Exclude<Verdict, { ok: true }>): AwsApiError;
  unknownAction(action: string): AwsApiError;
  denied(action: string): AwsApiError;
  serverFault(status: 500 | 503): AwsApiError;
}

export const PRINCIPAL_ARN = 'arn:aws:iam::123456789012:user/elk-ops';

/** Paginates with an opaque token, as EC2 and Auto Scaling do; here the token is just an encoded offset. */
export function paginate<T>(items: T[], maxResults: number | undefined, token: string | undefined, invalidToken: () => AwsApiError): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (token !== undefined) {
    offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw invalidToken();
  }
  const end = maxResults === undefined ? items.length : offset + maxResults;
  return {
    page: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}
