import { seededRandom } from './seeded-random';
/**
 * Realistic web access-log documents for seeding indices and driving alert scenarios. Deterministic for a
 * given seed so tests can assert exact counts; a `spike` window raises the share of 5xx responses.
 */
export interface LogDoc {
  '@timestamp': string;
  Status: number;
  path: string;
  host: string;
  method: string;
  bytes: number;
  duration_ms: number;
}

export interface LogDocOptions {
  count: number;
  from: Date | number;
  to: Date | number;
  hosts?: string[];
  paths?: string[];
  spike?: { at: Date | number; durationMs: number; status5xxRatio: number };
  seed?: number;
}

const DEFAULT_HOSTS = ['web-1', 'web-2', 'web-3', 'api-1', 'api-2'];
const DEFAULT_PATHS = ['/', '/login', '/api/orders', '/api/users', '/api/search', '/static/app.js', '/health', '/checkout'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'];
const NORMAL_STATUSES = [200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 404];
const ERROR_STATUSES = [500, 502, 503, 503, 504];
/** Share of 5xx outside a spike: a healthy service still fails now and then. */
const BASE_5XX_RATIO = 0.01;


const ms = (d: Date | number) => (typeof d === 'number' ? d : d.getTime());

export function generateLogDocs(opts: LogDocOptions): LogDoc[] {
  const rand = seededRandom(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const from = ms(opts.from);
  const to = ms(opts.to);
  const hosts = opts.hosts ?? DEFAULT_HOSTS;
  const paths = opts.paths ?? DEFAULT_PATHS;
  const spikeFrom = opts.spike ? ms(opts.spike.at) : Infinity;
  const spikeTo = opts.spike ? spikeFrom + opts.spike.durationMs : -Infinity;
  const docs: LogDoc[] = [];
  for (let i = 0; i < opts.count; i++) {
    // Evenly spread with jitter, then sorted, so per-minute counts are steady but not identical.
    const t = Math.min(to, from + ((i + rand()) / Math.max(1, opts.count)) * (to - from));
    const inSpike = t >= spikeFrom && t < spikeTo;
    const errorRatio = inSpike ? opts.spike!.status5xxRatio : BASE_5XX_RATIO;
    const status = rand() < errorRatio ? pick(ERROR_STATUSES) : pick(NORMAL_STATUSES);
    const slow = status >= 500 ? 5 : 1;
    docs.push({
      '@timestamp': new Date(Math.floor(t)).toISOString(),
      Status: status,
      path: pick(paths),
      host: pick(hosts),
      method: pick(METHODS),
      bytes: status === 204 || status === 304 ? 0 : Math.floor(200 + rand() * 20_000),
      duration_ms: Math.round((5 + rand() * rand() * 400) * slow),
    });
  }
  return docs.sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
}
