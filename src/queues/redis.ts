import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ needs `maxRetriesPerRequest: null` on worker connections (blocking commands must not time out).
 * REDIS_URL may be redis://, rediss:// (TLS); Sentinel and Cluster are documented in the README.
 */
export function connectRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...opts });
}
