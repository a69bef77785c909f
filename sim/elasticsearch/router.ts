import type { IncomingHttpHeaders } from 'node:http';
import type { SimCluster } from './cluster';
import { illegalArgument } from './errors';
import type { SimNode } from './types';

export interface EsRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined. `_bulk` gets `rawBody` instead. */
  body: unknown;
  rawBody: string;
  headers: IncomingHttpHeaders;
  /** The node the load balancer handed this request to; its version shapes version-specific answers. */
  node: SimNode;
  /** This read is served by a copy lagging staleReadMs behind. */
  stale: boolean;
  cluster: SimCluster;
}

export interface EsResponse {
  status?: number;
  body?: unknown;
  /** Plain text instead of JSON (the _cat text format). */
  text?: string;
}

export type Handler = (req: EsRequest) => Promise<EsResponse> | EsResponse;

export interface Route {
  methods: string[];
  path: string;
  handler: Handler;
}

export const route = (methods: string | string[], path: string, handler: Handler): Route => ({
  methods: Array.isArray(methods) ? methods : [methods],
  path,
  handler,
});

/** Index-like path parameters never match `_`-prefixed segments (those are API names), except `_all`. */
const INDEX_PARAMS = new Set(['index', 'target']);

export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const r of routes) {
    if (!r.methods.includes(method)) continue;
    const tpl = r.path.split('/').filter(Boolean);
    if (tpl.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < tpl.length && ok; i++) {
      const m = /^\{(\w+)\}$/.exec(tpl[i]);
      if (!m) ok = tpl[i] === segs[i];
      else if (INDEX_PARAMS.has(m[1]) && segs[i].startsWith('_') && segs[i] !== '_all') ok = false;
      else params[m[1]] = segs[i];
    }
    if (ok) return { route: r, params };
  }
  return undefined;
}

/** Boolean query flags: present without a value, or anything but "false", means true. */
export function flag(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null) return dflt;
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw illegalArgument(`Failed to parse value [${v}] as only [true] or [false] are allowed.`);
}
