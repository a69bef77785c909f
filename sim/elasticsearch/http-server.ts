import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SimCluster } from './cluster';
import { EsError } from './errors';
import { matchRoute, type EsRequest, type EsResponse, type Route } from './router';
import type { SimNode } from './types';
import { majorOf } from './versions';

const COMPAT = /compatible-with=(\d+)/;

/**
 * REST API compatibility as an 8.x node checks it: versions 8 and 7 accepted, anything else refused.
 * 7.17 is given the same acceptance (7 and 8): it understands versioned media types, and whether it
 * refuses compatible-with=8 is not documented, so the simulator lets the 8.x client talk to it.
 */
function checkMediaType(req: IncomingMessage, node: SimNode): { compat?: number } {
  const accept = req.headers.accept ?? '';
  const ctype = req.headers['content-type'] ?? '';
  const a = COMPAT.exec(accept)?.[1];
  const c = COMPAT.exec(ctype)?.[1];
  const major = Math.max(8, majorOf(node.spec.version));
  const allowed = [String(major), String(major - 1)];
  const refuse = (detail: string) =>
    new EsError(400, 'media_type_header_exception', 'Invalid media-type value on headers [Accept, Content-Type]', {}, { type: 'status_exception', reason: detail }, {
      type: 'media_type_header_exception',
      reason: 'Invalid media-type value on headers [Accept, Content-Type]',
    });
  if (a && !allowed.includes(a)) throw refuse(`Accept version must be either version ${major} or ${major - 1}, but found ${a}. Accept=${accept}`);
  if (c && !allowed.includes(c)) throw refuse(`Content-Type version must be either version ${major} or ${major - 1}, but found ${c}. Content-Type=${ctype}`);
  if (a && c && a !== c)
    throw refuse(
      `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${accept}, Content-Type=${ctype}`,
    );
  return { compat: a ? Number(a) : c ? Number(c) : undefined };
}

function parseBody(raw: string, path: string, ctype: string): unknown {
  if (!raw.trim() || path.endsWith('/_bulk') || ctype.includes('ndjson')) return undefined;
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new EsError(400, 'x_content_parse_exception', `[1:1] Failed to parse object: ${(e as Error).message}`);
  }
}

/**
 * One URL in front of every joined node, like the AWS load balancer: requests go round-robin to joined nodes,
 * and a node dying under a request turns into a 502 from the balancer.
 */
export async function startHttpServer(cluster: SimCluster, routes: Route[], port = 0): Promise<{ url: string; close(): Promise<void> }> {
  let rr = 0;
  let reads = 0;
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, method: string, status: number, r: EsResponse, compat?: number) => {
    if (res.writableEnded || res.destroyed) return;
    const headers: Record<string, string> = { 'x-elastic-product': 'Elasticsearch' };
    let payload: string;
    if (r.text !== undefined) {
      headers['content-type'] = 'text/plain; charset=UTF-8';
      payload = r.text;
    } else {
      headers['content-type'] = compat ? `application/vnd.elasticsearch+json;compatible-with=${compat}` : 'application/json';
      payload = r.body === undefined ? '' : JSON.stringify(r.body);
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(status, headers);
    res.end(method === 'HEAD' ? undefined : payload);
  };

  const balancerError = (res: ServerResponse, status: 502 | 503) => {
    const text = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
    res.writeHead(status, { 'content-type': 'text/html', 'content-length': String(text.length) });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    cluster.tick();
    const joined = cluster.joinedNodes().sort((a, b) => a.spec.name.localeCompare(b.spec.name));
    if (!joined.length) return balancerError(res, 503);
    const node = joined[rr++ % joined.length];

    const fault = cluster.knobs.faults.find((f) => (!f.method || f.method.toUpperCase() === method) && f.path.test(url.pathname) && (!f.query || f.query.test(decodedQuery(url))));
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) cluster.knobs.faults.splice(cluster.knobs.faults.indexOf(fault), 1);
      if (fault.status === 'timeout') return; // hang until the client gives up or the server closes
      if (fault.body !== undefined) return send(res, method, fault.status, { body: fault.body });
      const err = new EsError(fault.status, 'simulated_fault_exception', `fault injected on ${method} ${url.pathname}`);
      return send(res, method, fault.status, { body: err.body() });
    }

    let compat: number | undefined;
    try {
      compat = checkMediaType(req, node).compat;
      const match = matchRoute(routes, method, url.pathname);
      if (!match) {
        throw new EsError(400, 'illegal_argument_exception', `no handler found for uri [${url.pathname}] and method [${method}]`);
      }
      const esReq: EsRequest = {
        method,
        path: url.pathname,
        params: match.params,
        query: url.searchParams,
        body: parseBody(raw, url.pathname, String(req.headers['content-type'] ?? '')),
        rawBody: raw,
        headers: req.headers,
        node,
        stale: cluster.knobs.staleReadMs > 0 && reads++ % 2 === 1,
        cluster,
      };
      const r = await match.route.handler(esReq);
      if (cluster.nodeByName(node.spec.name) !== node) return balancerError(res, 502);
      send(res, method, r.status ?? 200, r, compat);
    } catch (e) {
      if (cluster.nodeByName(node.spec.name) !== node) return balancerError(res, 502);
      const err = e instanceof EsError ? e : new EsError(500, 'exception', (e as Error).message ?? String(e));
      send(res, method, err.status, { body: err.body() }, compat);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The query string as a fault's pattern reads it; a malformed escape is matched as sent rather than failing the request. */
function decodedQuery(url: URL): string {
  const raw = url.search.slice(1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
