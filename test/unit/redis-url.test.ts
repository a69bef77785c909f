import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../../src/queues/redis';

describe('REDIS_URL', () => {
  it('passes plain and TLS URLs through to ioredis', () => {
    expect(redisOptionsFromUrl('rediss://:pw@cache.internal:6380/2')).toEqual({ url: 'rediss://:pw@cache.internal:6380/2', options: {} });
  });
  it('turns a redis+sentinel URL into sentinel options', () => {
    expect(redisOptionsFromUrl('redis+sentinel://:s%40cret@s1:26379,s2:26380,s3/elk-primary/1')).toEqual({
      options: {
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26380 },
          { host: 's3', port: 26379 },
        ],
        name: 'elk-primary',
        password: 's@cret',
        db: 1,
      },
    });
  });
});
