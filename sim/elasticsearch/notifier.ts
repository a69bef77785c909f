import type { Clock } from '../../src/clock';

/**
 * Wakes long polls the moment cluster state changes. The bot's detection latency is measured against the
 * simulator, so waiters re-check on every change rather than polling on an interval.
 */
export class Notifier {
  private waiters = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves true as soon as `cond()` holds, false once `timeoutMs` of clock time passes first. */
  waitUntil(cond: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = new AbortController();
      const finish = (result: boolean) => {
        this.waiters.delete(check);
        timer.abort();
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const check = () => {
        let ok = false;
        try {
          ok = cond();
        } catch {
          ok = false;
        }
        if (ok) finish(true);
      };
      const onAbort = () => finish(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
      if (Number.isFinite(timeoutMs)) this.clock.sleep(timeoutMs, timer.signal).then(() => finish(cond()), () => undefined);
    });
  }
}
