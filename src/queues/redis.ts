import { Redis, type RedisOptions } from 'ioredis';

/**
 * REDIS_URL forms: `redis://[:password@]host:port[/db]`, `rediss://…` (TLS), and for Sentinel
 * `redis+sentinel://[:password@]host1:26379,host2:26379/<master-name>[/db]` — ioredis then asks the sentinels
 * for the current primary and follows a failover, so a job survives one.
 */
export function redisOptionsFromUrl(url: string): { url?: string; options: RedisOptions } {
  const m = /^redis\+sentinel:\/\/(?:([^@]*)@)?([^/]+)\/([^/]+)(?:\/(\d+))?$/.exec(url);
  if (!m) return { url, options: {} };
  const [, auth, hosts, name, db] = m;
  const password = auth ? decodeURIComponent(auth.replace(/^[^:]*:/, '')) : undefined;
  const sentinels = hosts.split(',').map((h) => {
    const [host, port] = h.split(':');
    return { host, port: Number(port ?? 26379) };
  });
  return { options: { sentinels, name, password, db: db ? Number(db) : undefined } };
}

/** BullMQ needs `maxRetriesPerRequest: null` on worker connections (blocking commands must not time out). */
export function connectRedis(url: string, opts: RedisOptions = {}): Redis {
  const parsed = redisOptionsFromUrl(url);
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...parsed.options, ...opts };
  return parsed.url ? new Redis(parsed.url, options) : new Redis(options);
}
