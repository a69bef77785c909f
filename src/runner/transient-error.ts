type ErrorShape = {
  name?: string;
  code?: string;
  meta?: { statusCode?: number };
  statusCode?: number;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  cause?: unknown;
};

// AWS answers a throttled call with HTTP 400 and one of these codes, so the status alone does not tell.
const THROTTLE_NAMES = ['Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'RequestThrottled', 'TooManyRequestsException', 'SlowDown'];
const NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'];

/** Errors worth retrying: the cluster, AWS or the network hiccuped; nothing about the request was wrong. */
export function isTransient(err: unknown, depth = 0): boolean {
  const e = err as ErrorShape | undefined;
  if (!e || typeof e !== 'object') return false;
  const status = e.meta?.statusCode ?? e.statusCode ?? e.$metadata?.httpStatusCode;
  if (status !== undefined && [429, 500, 502, 503, 504].includes(status)) return true;
  if (e.name === 'ConnectionError' || e.name === 'TimeoutError' || e.name === 'NoLivingConnectionsError') return true;
  if (e.name && THROTTLE_NAMES.includes(e.name)) return true;
  if (NETWORK_CODES.includes(e.code ?? '')) return true;
  // fetch/undici wrap the socket error; look one or two levels down.
  return depth < 2 && e.cause !== undefined && isTransient(e.cause, depth + 1);
}

/** One short line for logs and the thread: the status or code, never request bodies or headers. */
export function describeTransient(err: unknown): string {
  const e = err as ErrorShape & { message?: string };
  const status = e?.meta?.statusCode ?? e?.statusCode ?? e?.$metadata?.httpStatusCode;
  const what = [e?.name, status ? `HTTP ${status}` : '', e?.code].filter(Boolean).join(', ');
  return (what || String(e?.message ?? err)).slice(0, 200);
}
