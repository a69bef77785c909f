import { LOCK_RENEW_MS, type LockKeeper } from './lock-keeper';

export interface WatchdogHooks {
  cancelledBy(): Promise<string | null>;
  onCancel(by: string): void;
  keeper: LockKeeper;
  /** The job is already stopping: nothing left to watch for. */
  stopped(): boolean;
  log(err: string): void;
  /**
   * Extends this run's BullMQ job lock; false when another run holds the job now. BullMQ renews the locks of the
   * jobs it tracks, but it tracks them by id: when a run that lost the job (a stall: its lock lapsed) ends, the
   * job's id is untracked under the run that took it over, whose lock then lapses in turn at the next long wait.
   * The run renews its own lock, so one stall stays one takeover.
   */
  renewJobLock?: () => Promise<boolean>;
  /** How often (real ms); a third of the lock's duration. */
  jobLockEveryMs?: number;
  onJobLost?: () => void;
}

/**
 * Runs beside a job: turns a cancel request into an abort and renews the cluster lock, promptly, even during
 * long waits. A renewal another job's lock refused marks the lock lost, which aborts the job (LockKeeper).
 */
export function startWatchdog(h: WatchdogHooks): NodeJS.Timeout {
  let lastRenew = Date.now();
  let lastJobRenew = Date.now();
  let busy = false;
  return setInterval(async () => {
    if (busy || h.stopped()) return;
    busy = true;
    try {
      if (h.renewJobLock && Date.now() - lastJobRenew >= (h.jobLockEveryMs ?? 10_000)) {
        lastJobRenew = Date.now();
        if (!(await h.renewJobLock())) return h.onJobLost?.();
      }
      const by = await h.cancelledBy();
      if (by) h.onCancel(by);
      if (h.keeper.enabled && Date.now() - lastRenew >= LOCK_RENEW_MS) {
        lastRenew = Date.now();
        await h.keeper.hold().catch((err) => {
          h.keeper.renewFailed();
          throw err;
        });
      }
    } catch (err) {
      h.log((err as Error).message);
    } finally {
      busy = false;
    }
  }, 250);
}
