import type { ClusterLock } from '../queues/cluster-lock';

/** Cluster lock lifetime while a worker is alive. Real milliseconds. */
export const LOCK_TTL_MS = 10 * 60_000;
/** How often a running job renews it: often, so a job that lost it (Redis dropped the key) notices within seconds. */
export const LOCK_RENEW_MS = 2_000;

export class ClusterLockLost extends Error {
  constructor(
    readonly cluster: string,
    readonly holder: string | undefined,
  ) {
    super(
      holder
        ? `the lock on cluster ${cluster} now belongs to \`${holder}\` (Redis lost this job's lock and another job took it)`
        : `this job could not renew its lock on cluster ${cluster} for too long (Redis unreachable)`,
    );
  }
}

/**
 * One job's hold on its cluster's lock. Every renewal's answer counts: the first one that fails marks the
 * lock as lost for good, and the runner stops the job before its next call to the cluster.
 */
export class LockKeeper {
  private lostTo: ClusterLockLost | undefined;
  private lastOk = Date.now();

  constructor(
    private readonly lock: ClusterLock,
    private readonly cluster: string,
    private readonly jobId: string,
    /** False for jobs that change nothing (non-destructive kinds, dry runs): they neither take nor need it. */
    readonly enabled: boolean,
    private readonly onLost: (err: ClusterLockLost) => void,
  ) {}

  get lost(): ClusterLockLost | undefined {
    return this.lostTo;
  }

  /** Takes or renews the lock for `ttlMs`; false (and lost) when another job holds it. */
  async hold(ttlMs = LOCK_TTL_MS): Promise<boolean> {
    if (!this.enabled) return true;
    if (this.lostTo) return false;
    const got = await this.lock.acquire(this.cluster, this.jobId, ttlMs);
    if (got.ok) {
      this.lastOk = Date.now();
      return true;
    }
    this.markLost(new ClusterLockLost(this.cluster, got.holder));
    return false;
  }

  /** Throws unless the lock is still ours: called right before every destructive call. */
  async assert(ttlMs = LOCK_TTL_MS): Promise<void> {
    if (!(await this.hold(ttlMs))) throw this.lostTo!;
  }

  /** A renewal that could not reach Redis is not a loss yet: the key outlives it. Past most of the TTL it is. */
  renewFailed(): void {
    if (this.enabled && !this.lostTo && Date.now() - this.lastOk > (LOCK_TTL_MS * 2) / 3) this.markLost(new ClusterLockLost(this.cluster, undefined));
  }

  async release(): Promise<void> {
    if (this.enabled && !this.lostTo) await this.lock.release(this.cluster, this.jobId);
  }

  /** A dry run never holds the lock, but the bot may have taken it at enqueue time: give it back. */
  async releaseUnneeded(): Promise<void> {
    if (!this.enabled) await this.lock.release(this.cluster, this.jobId);
  }

  private markLost(err: ClusterLockLost): void {
    this.lostTo = err;
    this.onLost(err);
  }
}
