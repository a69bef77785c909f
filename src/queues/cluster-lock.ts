import type { Redis } from 'ioredis';

// Compare-and-act scripts: a lock is only ever renewed or released by the job that holds it.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] or redis.call('exists', KEYS[1]) == 0 then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * At most one destructive job per cluster. The lock lives in Redis with an expiry so a crashed worker cannot
 * hold it forever, and the running job renews it; a parked job (waiting for approval) extends it past its
 * approval deadline so nobody slips in while it waits.
 */
export class ClusterLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(cluster: string) {
    return `${this.prefix}:lock:cluster:${cluster}`;
  }

  /** Takes the lock for `jobId` (or keeps it, if it already holds it). Returns the holder when taken by another. */
  async acquire(cluster: string, jobId: string, ttlMs: number): Promise<{ ok: true } | { ok: false; holder: string }> {
    const ok = await this.redis.eval(RENEW, 1, this.key(cluster), jobId, String(Math.ceil(ttlMs)));
    if (ok === 1) return { ok: true };
    return { ok: false, holder: (await this.redis.get(this.key(cluster))) ?? 'another job' };
  }

  async release(cluster: string, jobId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(cluster), jobId);
  }

  holder(cluster: string): Promise<string | null> {
    return this.redis.get(this.key(cluster));
  }
}
