interface Waiter {
  urgent: boolean;
  go: () => void;
}

interface Bucket {
  tokens: number;
  at: number;
  queue: Waiter[];
  timer?: NodeJS.Timeout;
}

/**
 * Slack allows about one chat.postMessage per second per channel, with short bursts. Every poster in this
 * process takes a token here first, so a busy job slows itself down instead of collecting 429s. (A 429 that
 * still happens — other processes share the channel — is waited out by the WebClient, never dropped.)
 * Waiters are served in order, except that an urgent one (an approval question) goes ahead of every
 * informational post already waiting: a question must never queue behind progress lines. Nor behind the ones
 * already sent: informational posts leave the bucket's last token to questions (with a burst of 2 or more), so
 * a question asked right after a flurry of progress lines goes out at once instead of a second later.
 */
export class ChannelPacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond = 1,
    private readonly burst = 3,
  ) {}

  take(channel: string, urgent = false): Promise<void> {
    const b = this.bucket(channel);
    return new Promise((go) => {
      const w = { urgent, go };
      const firstNormal = urgent ? b.queue.findIndex((x) => !x.urgent) : -1;
      if (firstNormal < 0) b.queue.push(w);
      else b.queue.splice(firstNormal, 0, w);
      this.drain(b);
    });
  }

  private bucket(channel: string): Bucket {
    let b = this.buckets.get(channel);
    if (!b) {
      b = { tokens: this.burst, at: Date.now(), queue: [] };
      this.buckets.set(channel, b);
    }
    return b;
  }

  private drain(b: Bucket): void {
    const now = Date.now();
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const need = (w: Waiter) => (w.urgent || this.burst < 2 ? 1 : 2);
    while (b.queue.length > 0 && b.tokens >= need(b.queue[0])) {
      b.tokens -= 1;
      b.queue.shift()!.go();
    }
    // Rescheduled for the waiter now at the front: a question put ahead of a waiting post needs one token, not two.
    if (b.timer) clearTimeout(b.timer);
    b.timer = undefined;
    if (b.queue.length > 0) {
      b.timer = setTimeout(() => {
        b.timer = undefined;
        this.drain(b);
      }, Math.ceil(((need(b.queue[0]) - b.tokens) / this.perSecond) * 1000));
    }
  }
}
