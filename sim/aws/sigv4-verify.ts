import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** Path and query as received, e.g. `/` or `/?a=b`. */
  url: string;
  /** Lower-cased header names, as node:http delivers them. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type Verdict =
  | { ok: true; service: string; region: string }
  | { ok: false; problem: 'missing' | 'malformed' | 'unknown-key' | 'bad-signature'; detail?: string }
  | { ok: false; problem: 'expired'; detail: string };

/** AWS rejects header-signed requests whose x-amz-date is more than five minutes from its own clock. */
const MAX_SKEW_MS = 5 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * Recomputes the SigV4 signature of a header-signed request. Skew is judged against real wall time, not the
 * simulated clock: the SDK signs with the machine's clock whatever speed the estate runs at.
 */
export function verifySigV4(req: SignedRequest, credentials: Credentials, nowMs = Date.now()): Verdict {
  const authorization = header(req.headers, 'authorization');
  if (authorization === undefined) return { ok: false, problem: 'missing' };
  const m = AUTHORIZATION.exec(authorization);
  if (!m) return { ok: false, problem: 'malformed', detail: 'Authorization header is not a valid AWS4-HMAC-SHA256 header' };
  const [, accessKeyId, shortDate, region, service, signedHeaderList, signature] = m;
  const signedHeaders = signedHeaderList.split(';');

  const amzDate = header(req.headers, 'x-amz-date');
  if (amzDate === undefined || !signedHeaders.includes('x-amz-date') || !signedHeaders.includes('host')) {
    return { ok: false, problem: 'malformed', detail: 'Authorization header requires host and x-amz-date to be signed' };
  }
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, problem: 'unknown-key' };
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || !amzDate.startsWith(shortDate)) {
    return { ok: false, problem: 'malformed', detail: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${shortDate}' != '${amzDate.slice(0, 8)}'` };
  }
  if (Math.abs(nowMs - signedAt) > MAX_SKEW_MS) {
    const earliest = formatAmzDate(nowMs - MAX_SKEW_MS);
    return { ok: false, problem: 'expired', detail: `Signature expired: ${amzDate} is now earlier than ${earliest} (${formatAmzDate(nowMs)} - 5 min.)` };
  }

  const bodyHash = sha256Hex(req.body);
  const declaredHash = header(req.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== bodyHash) return { ok: false, problem: 'bad-signature' };

  const [path, query = ''] = req.url.split('?', 2);
  const canonicalRequest = [
    req.method,
    canonicalPath(path),
    canonicalQuery(query),
    signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req.headers[name])}\n`).join(''),
    signedHeaderList,
    declaredHash ?? bodyHash,
  ].join('\n');
  const scope = `${shortDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = [shortDate, region, service, 'aws4_request'].reduce<Buffer>(
    (k, part) => hmac(k, part),
    Buffer.from(`AWS4${credentials.secretAccessKey}`),
  );
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, problem: 'bad-signature' };
  return { ok: true, service, region };
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.replace(/\s+/g, ' ').trim();
}

/** Non-S3 services encode the already-encoded path a second time, as the SDK's signer does. */
function canonicalPath(path: string): string {
  const segments = path.split('/').filter((s) => s.length > 0 && s !== '.');
  return '/' + segments.map(uriEncode).join('/') + (path.endsWith('/') && segments.length ? '/' : '');
}

function canonicalQuery(query: string): string {
  return [...new URLSearchParams(query)]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
