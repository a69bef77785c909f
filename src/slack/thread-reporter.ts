import type { Logger } from 'pino';
import type { Message } from './blocks/text';
import { section } from './blocks/text';
import type { SlackPoster } from './slack-poster';

/**
 * Posts one job's messages into its thread without exceeding Slack's limits: replies that pile up while a
 * message is in flight are merged into one message (up to Block Kit's 50 blocks); progress lines keep only
 * the newest and edit one progress message in place (a new one after each step reply); card edits are
 * coalesced to one per `cardIntervalMs`. Order is preserved.
 */
export class ThreadReporter {
  private pending: string[] = [];
  private progressLine: string | undefined;
  private progressTs: string | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;
  private card: Message | undefined;
  private lastCardAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private cardTimer: NodeJS.Timeout | undefined;
  private cardChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly slack: SlackPoster,
    private readonly thread: { channel: string; ts: string },
    private readonly log: Logger,
    private readonly cardIntervalMs = 1500,
  ) {}

  reply(text: string): void {
    this.pending.push(text);
    this.schedule();
  }

  /** Lossy by design: only the latest progress matters, and a long copy must not flood the thread. */
  progress(text: string): void {
    this.progressLine = text;
    if (this.progressTimer) return;
    const wait = Math.max(0, this.lastProgressAt + this.cardIntervalMs - Date.now());
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.schedule();
    }, wait);
  }

  updateCard(card: Message): void {
    this.card = card;
    if (this.cardTimer) return;
    const wait = Math.max(0, this.lastCardAt + this.cardIntervalMs - Date.now());
    this.cardTimer = setTimeout(() => {
      this.cardTimer = undefined;
      this.cardChain = this.cardChain.then(() => this.sendCard());
    }, wait);
  }

  /** Posts now (approval questions need their ts); queued replies go first so the thread reads in order. */
  async postNow(msg: Message): Promise<string> {
    await this.flush();
    return this.slack.post(this.thread.channel, msg, this.thread.ts);
  }

  update(ts: string, msg: Message): Promise<void> {
    return this.slack.update(this.thread.channel, ts, msg);
  }

  async flush(): Promise<void> {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    this.schedule();
    await this.chain;
    if (this.cardTimer) {
      clearTimeout(this.cardTimer);
      this.cardTimer = undefined;
      this.cardChain = this.cardChain.then(() => this.sendCard());
    }
    await this.cardChain;
  }

  private schedule(): void {
    this.chain = this.chain.then(() => this.sendPending());
  }

  private async sendPending(): Promise<void> {
    const lines = this.pending.splice(0);
    if (lines.length > 0) {
      await this.postLines(lines);
      // The next progress line starts a new message below the reply, so the thread reads in order.
      this.progressTs = undefined;
    }
    const line = this.progressLine;
    this.progressLine = undefined;
    if (line === undefined) return;
    this.lastProgressAt = Date.now();
    const msg: Message = { text: `⏳ ${line}`, blocks: [section(`⏳ ${line}`)] };
    try {
      if (this.progressTs) await this.slack.update(this.thread.channel, this.progressTs, msg);
      else this.progressTs = await this.slack.post(this.thread.channel, msg, this.thread.ts);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not post progress to the job thread');
    }
  }

  private async postLines(lines: string[]): Promise<void> {
    // 45 sections per message keeps clear of the 50-block limit; longer bursts become several messages.
    for (let i = 0; i < lines.length; i += 45) {
      const chunk = lines.slice(i, i + 45);
      const msg: Message = { text: chunk.join('\n').slice(0, 3000), blocks: chunk.map((l) => section(l)) };
      try {
        await this.slack.post(this.thread.channel, msg, this.thread.ts);
      } catch (err) {
        // The job must not die because Slack is unreachable; the same lines are in the job log.
        this.log.warn({ err: (err as Error).message }, 'could not post to the job thread');
      }
    }
  }

  private async sendCard(): Promise<void> {
    const card = this.card;
    if (!card) return;
    this.card = undefined;
    this.lastCardAt = Date.now();
    try {
      await this.slack.update(this.thread.channel, this.thread.ts, card);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not update the job card');
    }
  }
}
