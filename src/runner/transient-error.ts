/** Errors worth retrying: the cluster or network hiccuped, nothing about the request was wrong. */
export function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: string; meta?: { statusCode?: number }; statusCode?: number; $metadata?: { httpStatusCode?: number } };
  const status = e?.meta?.statusCode ?? e?.statusCode ?? e?.$metadata?.httpStatusCode;
  if (status !== undefined && [429, 500, 502, 503, 504].includes(status)) return true;
  if (e?.name === 'ConnectionError' || e?.name === 'TimeoutError' || e?.name === 'NoLivingConnectionsError') return true;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(e?.code ?? '');
}
