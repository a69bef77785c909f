import type { Redis } from 'ioredis';

/** Cancellation is a flag the running job polls between and during steps: it stops at a safe point, never mid-call. */
export class CancelFlags {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(jobId: string) {
    return `${this.prefix}:cancel:${jobId}`;
  }

  async request(jobId: string, by: string): Promise<void> {
    await this.redis.set(this.key(jobId), by, 'EX', 7 * 24 * 3600);
  }

  requestedBy(jobId: string): Promise<string | null> {
    return this.redis.get(this.key(jobId));
  }

  async clear(jobId: string): Promise<void> {
    await this.redis.del(this.key(jobId));
  }
}
