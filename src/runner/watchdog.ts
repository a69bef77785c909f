import { LOCK_RENEW_MS, type LockKeeper } from './lock-keeper';

export interface WatchdogHooks {
  cancelledBy(): Promise<string | null>;
  onCancel(by: string): void;
  keeper: LockKeeper;
  /** The job is already stopping: nothing left to watch for. */
  stopped(): boolean;
  log(err: string): void;
  /**
   * The run's BullMQ job lock, renewed every `everyMs`; `renew` is false when another run holds the job now.
   * BullMQ renews the locks of the jobs it tracks, but by id: when a run that lost the job (a stall: its lock
   * lapsed) ends, the id is untracked under the run that took it over, whose lock then lapses in turn at its next
   * long wait. The run renews its own lock, so one stall stays one takeover.
   */
  jobLock?: { renew(): Promise<boolean>; everyMs: number; onLost(): void };
  /**
   * Redis that does not answer at all (a partition, a frozen server) makes its calls wait, not fail: without this
   * the watchdog would wait with them and the job would stall in silence. Redis that answers errors (READONLY from
   * a primary demoted by a failover) lets the job lock lapse while a long wait goes on. Once the job lock has gone
   * unconfirmed for `afterMs` (at least the lock's duration: it has lapsed by then), either way, `onSilent` is
   * called, once, with the last error Redis answered (none when it was silent).
   */
  silence?: { afterMs: number; onSilent(unconfirmedMs: number, refused: Error | undefined): void };
}

/**
 * Runs beside a job: turns a cancel request into an abort and renews the cluster lock, promptly, even during
 * long waits. A renewal another job's lock refused marks the lock lost, which aborts the job (LockKeeper).
 */
export function startWatchdog(h: WatchdogHooks): NodeJS.Timeout {
  let lastRenew = Date.now();
  let lastJobRenew = Date.now();
  let busy = false;
  let lastConfirmed = Date.now();
  let refused: Error | undefined;
  let silentTold = false;
  return setInterval(async () => {
    if (h.stopped()) return;
    const unconfirmedMs = Date.now() - lastConfirmed;
    if (h.jobLock && h.silence && !silentTold && unconfirmedMs >= h.silence.afterMs) {
      silentTold = true;
      return h.silence.onSilent(unconfirmedMs, refused);
    }
    if (busy) return;
    busy = true;
    try {
      if (h.jobLock && Date.now() - lastJobRenew >= h.jobLock.everyMs) {
        lastJobRenew = Date.now();
        const ours = await h.jobLock.renew().catch((err: Error) => {
          refused = err;
          throw err;
        });
        if (!ours) return h.jobLock.onLost();
        lastConfirmed = Date.now();
        refused = undefined;
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
