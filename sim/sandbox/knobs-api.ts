import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { AwsKnobs } from '../aws';
import type { EsKnobs } from '../elasticsearch';
import type { Estate } from '../estate';

/** Knob patches are a few lines of JSON; anything bigger is a mistake, not a request. */
const MAX_BODY_BYTES = 64 * 1024;

const ms = z.number().min(0);
const names = z.array(z.string().min(1)).transform((a) => new Set(a));
const regExp = z.string().transform((source, ctx) => {
  try {
    return new RegExp(source);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(e as Error).message}` });
    return z.NEVER;
  }
});

// `satisfies Record<keyof …>` makes a knob added to the simulators fail to compile here until it is exposed.
const esShape = {
  recoveryBytesPerSec: ms,
  joinDelayMs: ms,
  electionDelayMs: ms,
  refreshLagMs: ms,
  staleReadMs: ms,
  reindexDocsPerSec: ms,
  neverJoin: names,
  faults: z.array(
    z.strictObject({
      method: z.string().min(1).optional(),
      path: regExp,
      status: z.union([z.int().min(400).max(599), z.literal('timeout')]),
      // The simulator spends a fault before checking it, so 0 would still fire once.
      times: z.int().min(1).optional(),
    }),
  ),
} satisfies Record<keyof EsKnobs, z.ZodType>;

const awsShape = {
  bootMs: ms,
  shutdownMs: ms,
  healthCheckMs: ms,
  terminatedRetentionMs: ms,
  failBoot: z.int().min(0),
  deny: names,
  faults: z.array(
    z.strictObject({
      action: z.string().min(1),
      status: z.union([z.literal(500), z.literal(503)]),
      code: z.string().min(1).optional(),
      times: z.int().min(1),
    }),
  ),
} satisfies Record<keyof AwsKnobs, z.ZodType>;

const patchSchema = z.strictObject({
  es: z.strictObject(esShape).partial().optional(),
  aws: z.strictObject(awsShape).partial().optional(),
});

const accepted: Record<string, string[]> = { '': ['es', 'aws'], es: Object.keys(esShape), aws: Object.keys(awsShape) };

/** The knobs as JSON can carry them: Sets as arrays, RegExps as their source. */
function knobsJson(estate: Estate) {
  const es = estate.es.cluster.knobs;
  const aws = estate.aws.sim.knobs;
  return {
    es: { ...es, neverJoin: [...es.neverJoin], faults: es.faults.map((f) => ({ ...f, path: f.path.source })) },
    aws: { ...aws, deny: [...aws.deny], faults: aws.faults.map((f) => ({ ...f })) },
  };
}

/**
 * Validates the whole patch before touching anything, so a rejected request leaves the estate as it was.
 * Lists and sets are replaced, not merged: what was POSTed is what is in force.
 */
function applyKnobs(estate: Estate, body: unknown): { ok: true } | { ok: false; error: string } {
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map(describeIssue).join('; ') };
  // The simulators read their knobs objects on every use, so changing them in place takes effect at once.
  Object.assign(estate.es.cluster.knobs, parsed.data.es);
  Object.assign(estate.aws.sim.knobs, parsed.data.aws);
  return { ok: true };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const what = where ? `${where} knob` : 'section';
    const known = accepted[where];
    return `unknown ${what} ${issue.keys.map((k) => `"${k}"`).join(', ')}${known ? `; accepted: ${known.join(', ')}` : ''}`;
  }
  return `${where || '(body)'}: ${issue.message}`;
}

export interface KnobsApi {
  url: string;
  close(): Promise<void>;
}

/**
 * GET /knobs and POST /knobs for the estate's fault knobs, on loopback only: anyone who can reach it can
 * break the simulated cluster, which is the point in a sandbox and nowhere else.
 */
export async function startKnobsApi(estate: Estate, port: number): Promise<KnobsApi> {
  const server = createServer((req, res) => {
    route(estate, req, res).catch((e: Error) => send(res, 500, { error: e.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(estate: Estate, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://knobs');
  if (pathname !== '/knobs') return send(res, 404, { error: `no route ${pathname}; use GET or POST /knobs` });
  if (req.method === 'GET') return send(res, 200, knobsJson(estate));
  if (req.method !== 'POST') return send(res, 405, { error: `${req.method} /knobs: use GET or POST` });

  const raw = await readBody(req);
  if (raw === undefined) return send(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
  let body: unknown;
  try {
    // Content type is not checked, so a bare `curl -d '{…}'` works.
    body = raw.trim() ? JSON.parse(raw) : {};
  } catch (e) {
    return send(res, 400, { error: `body is not JSON: ${(e as Error).message}` });
  }
  const applied = applyKnobs(estate, body);
  if (!applied.ok) return send(res, 400, { error: applied.error });
  send(res, 200, knobsJson(estate));
}

/** The body as text, or undefined once it exceeds MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}
