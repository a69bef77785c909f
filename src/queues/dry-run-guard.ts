import type { Redis } from 'ioredis';

// Set-if-absent, answering the holder and the guard's age when taken, in one round trip so the answer is
// about the same holder that refused us.
const TAKE = `if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
  return {0, redis.call('get', KEYS[1]) or '', redis.call('pttl', KEYS[1])}`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

export type GuardAnswer = { ok: true } | { ok: false; holder: string; ageMs: number };

/**
 * At most one dry run of a kind per cluster at a time. Dry runs change nothing, so they must not take the
 * destructive cluster lock (a plan may be looked at while a real run holds it), but fifty clicks must still
 * start one job, not fifty. The guard expires on its own; the bot also clears it once its holder has ended.
 */
export class DryRunGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  private key(kind: string, cluster: string) {
    return `${this.prefix}:guard:dry-run:${kind}:${cluster}`;
  }

  async take(kind: string, cluster: string, jobId: string): Promise<GuardAnswer> {
    const r = (await this.redis.eval(TAKE, 1, this.key(kind, cluster), jobId, String(this.ttlMs))) as [number, string?, number?];
    if (r[0] === 1) return { ok: true };
    return { ok: false, holder: r[1] ?? '', ageMs: this.ttlMs - Math.max(0, Number(r[2] ?? 0)) };
  }

  /** Only the holder's own id releases it: a late release can never free a newer run's guard. */
  async release(kind: string, cluster: string, jobId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(kind, cluster), jobId);
  }
}
