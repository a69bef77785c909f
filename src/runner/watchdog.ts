import { LOCK_RENEW_MS, type LockKeeper } from './lock-keeper';

export interface WatchdogHooks {
  cancelledBy(): Promise<string | null>;
  onCancel(by: string): void;
  keeper: LockKeeper;
  /** The job is already stopping: nothing left to watch for. */
  stopped(): boolean;
  log(err: string): void;
}

/**
 * Runs beside a job: turns a cancel request into an abort and renews the cluster lock, promptly, even during
 * long waits. A renewal another job's lock refused marks the lock lost, which aborts the job (LockKeeper).
 */
export function startWatchdog(h: WatchdogHooks): NodeJS.Timeout {
  let lastRenew = Date.now();
  let busy = false;
  return setInterval(async () => {
    if (busy || h.stopped()) return;
    busy = true;
    try {
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
