import { startRedis } from './redis-server';

/**
 * Every integration test talks to a real Redis. REDIS_URL wins when given; otherwise the suite starts its own
 * redis-server on a free port (test workers inherit the variable) so it never depends on a Redis the machine
 * happens to run.
 */
export default async function setup() {
  if (process.env.REDIS_URL) return;
  const redis = await startRedis();
  process.env.REDIS_URL = redis.url;
  return () => redis.stop();
}
