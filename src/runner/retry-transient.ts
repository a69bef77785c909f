import type { Clock } from '../clock';
import { describeTransient, isTransient } from './transient-error';

/**
 * The one retry policy for calls to the cluster and to AWS, layered over the SDKs' own retries.
 *
 * The Elasticsearch client retries a 502/503/504 or a reset connection 3 times at once, and the AWS SDK makes
 * 3 attempts with a short backoff and its throttle bucket; both ride out a blip of a few hundred ms. This
 * layer is the slow outer one, for a node restarting or a throttle that lasts: exponential backoff from
 * 500 ms to 15 s with jitter (so several jobs do not retry in step), until the call has failed for 3 minutes
 * of clock time in total; then the last error reaches the caller. Only errors `isTransient` accepts are
 * retried — a 400 or a 404 means the request is wrong, and repeating it changes nothing.
 *
 * What may be retried is decided by the caller (see retrying-ports.ts): reads and idempotent writes yes; the
 * call a destructive step makes no — the runner then asks the step's `alreadyDone` instead.
 */
export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Clock ms from the first failure after which the error is passed on. */
  budgetMs: number;
  /**
   * Real ms the budget never falls below. At 1× the clock budget is far longer; on an accelerated clock (the
   * sandbox, tests at 300×) 3 minutes are 0.6 s real, less than one AWS SDK throttle back-off or a loaded
   * machine's slow answer, and a transient error would end the job.
   */
  minRealMs: number;
  /** Consecutive failures after which the thread hears about it (once per call). */
  reportAfter: number;
}

export const TRANSIENT_RETRY: RetryPolicy = { firstDelayMs: 500, maxDelayMs: 15_000, budgetMs: 3 * 60_000, minRealMs: 15_000, reportAfter: 3 };

export interface RetryEnv {
  clock: Clock;
  /** Aborting stops the retries at once (cancel, shutdown, a lost lock). */
  signal: AbortSignal;
  /** Called once when a call keeps failing, so the thread gets one line instead of one per attempt. */
  onPersistent?(what: string, reason: string, attempts: number): void;
}

/** Half the exponential step plus a random half: never zero, never in lockstep with another job. */
export function backoffMs(attempt: number, p: RetryPolicy = TRANSIENT_RETRY, random = Math.random): number {
  const step = Math.min(p.maxDelayMs, p.firstDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

export async function retryTransient<T>(what: string, call: (attempt: number) => Promise<T>, env: RetryEnv, p: RetryPolicy = TRANSIENT_RETRY): Promise<T> {
  let startedAt: number | undefined;
  let startedReal = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (err) {
      if (!isTransient(err) || env.signal.aborted) throw err;
      if (startedAt === undefined) {
        startedAt = env.clock.now();
        startedReal = Date.now();
      }
      const delay = backoffMs(attempt, p);
      if (env.clock.now() + delay - startedAt > p.budgetMs && Date.now() + env.clock.toReal(delay) - startedReal > p.minRealMs) throw err;
      if (attempt === p.reportAfter) env.onPersistent?.(what, describeTransient(err), attempt);
      await env.clock.sleep(delay, env.signal);
    }
  }
}
