/** The Redis the global setup started (or the one REDIS_URL named). */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests with `npm test` so the global setup starts a redis-server');
  return url;
}

/** A key prefix unique to one test, so tests sharing a Redis never see each other's queues. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
