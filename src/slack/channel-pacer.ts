/**
 * Slack allows about one chat.postMessage per second per channel, with short bursts. Every poster in this
 * process takes a token here first, so a busy job slows itself down instead of collecting 429s. (A 429 that
 * still happens — other processes share the channel — is waited out by the WebClient, never dropped.)
 */
export class ChannelPacer {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond = 1,
    private readonly burst = 3,
  ) {}

  async take(channel: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      const b = this.buckets.get(channel) ?? { tokens: this.burst, at: now };
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
      this.buckets.set(channel, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - b.tokens) / this.perSecond) * 1000)));
    }
  }
}
