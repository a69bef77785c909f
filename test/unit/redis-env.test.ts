import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUrl } from '../helpers/redis-url';

describe('test Redis', () => {
  it('is reachable at the URL the global setup provided', async () => {
    const r = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    expect(await r.ping()).toBe('PONG');
    await r.quit();
  });
});
