import type { Clock } from '../clock';

/** Longest single long poll sent to Elasticsearch; a caller that wants longer polls again. */
const MAX_POLL_MS = 5 * 60_000;
/** Margin the HTTP request gets beyond the server-side wait (network, a busy master). */
const HTTP_MARGIN_MS = 30_000;

/**
 * The `timeout` of a long poll and the HTTP request timeout that must outlast it. The wait is given in
 * clock time, like every wait of a job; the server shares that clock (1:1 in production, the simulator's
 * accelerated clock in tests), so it is sent as is — a whole, non-negative number of milliseconds, capped —
 * while the HTTP timeout is real time and so is converted.
 */
export function longPollTimeout(clockMs: number, clock?: Pick<Clock, 'toReal'>): { timeout: string; requestTimeoutMs: number } {
  const ms = Number.isFinite(clockMs) ? Math.min(MAX_POLL_MS, Math.max(0, Math.floor(clockMs))) : 0;
  const real = clock ? clock.toReal(ms) : ms;
  return { timeout: `${ms}ms`, requestTimeoutMs: Math.ceil(real) + HTTP_MARGIN_MS };
}
