/** What a forced failure answers: a 429 with Retry-After, or an `ok:false` with the given error. */
export type Failure = { status: 429; retryAfterSec: number } | { error: string };

export type Verdict = { kind: 'pass' } | { kind: 'ratelimited'; retryAfterSec: number } | { kind: 'error'; error: string };

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Decides, before a Web API call runs, whether Slack would refuse it. Tests script refusals with `failNext` /
 * `rateLimitFor`; the optional realistic mode applies Slack's published limits as token buckets: chat.postMessage
 * about 1 per second per channel with short bursts allowed, chat.update Tier 3 (about 50 a minute).
 */
export class RateLimiter {
  private readonly scripted = new Map<string, Array<{ failure: Failure; remaining: number }>>();
  private readonly windows = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly realistic = false) {}

  failNext(method: string, failure: Failure, times = 1): void {
    const queue = this.scripted.get(method) ?? [];
    queue.push({ failure, remaining: times });
    this.scripted.set(method, queue);
  }

  /** Every call of `method` answers 429 until `durationMs` has passed; Retry-After counts down to the end. */
  rateLimitFor(method: string, durationMs: number): void {
    this.windows.set(method, Date.now() + durationMs);
  }

  judge(method: string, channel: string | undefined, now = Date.now()): Verdict {
    const queue = this.scripted.get(method);
    const next = queue?.[0];
    if (queue && next) {
      if (--next.remaining <= 0) queue.shift();
      const f = next.failure;
      return 'error' in f ? { kind: 'error', error: f.error } : { kind: 'ratelimited', retryAfterSec: f.retryAfterSec };
    }
    const until = this.windows.get(method);
    if (until !== undefined) {
      if (now < until) return { kind: 'ratelimited', retryAfterSec: Math.max(1, Math.ceil((until - now) / 1000)) };
      this.windows.delete(method);
    }
    if (!this.realistic) return { kind: 'pass' };
    if (method === 'chat.postMessage') return this.take(`post:${channel ?? ''}`, 4, 1, now);
    if (method === 'chat.update') return this.take('update', 50, 50 / 60, now);
    return { kind: 'pass' };
  }

  private take(key: string, burst: number, perSec: number, now: number): Verdict {
    const b = this.buckets.get(key) ?? { tokens: burst, refilledAt: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.refilledAt) / 1000) * perSec);
    b.refilledAt = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { kind: 'pass' };
    }
    return { kind: 'ratelimited', retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / perSec)) };
  }
}
