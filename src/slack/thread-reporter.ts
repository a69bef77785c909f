import type { Logger } from 'pino';
import type { Message } from './blocks/text';
import { section } from './blocks/text';
import type { SlackPoster } from './slack-poster';

/** A reply line, or a step's final line that replaces that step's live progress message. */
type Item = { line: string } | { final: string; step: string };

/** The one live progress message of a step: created by its first progress line, edited after, finalised once. */
interface Live {
  step: string;
  ts?: string;
  /** The newest line not yet sent, and its sequence number. */
  line?: string;
  seq: number;
  /** Sequence number of the line the message shows: an edit carrying an older one is stale and dropped. */
  shown: number;
}

/**
 * Posts one job's messages into its thread without exceeding Slack's limits, in order by construction:
 * every write to the thread (replies, progress edits, step results, card edits) goes through ONE queue per
 * thread, so no two calls to Slack for it are ever in flight at once and none can overtake another.
 *
 * - replies that pile up while a call is in flight are merged into one message (up to 45 sections);
 * - progress is lossy: each step has one progress message, edited in place with the newest line (every line
 *   carries a sequence number; an older one never overwrites a newer one);
 * - a step's result replaces its progress message (chat.update), so "⏳ 6 shards still to move" cannot be
 *   left standing under, or appear after, "✅ 5 shards moved"; progress for a finished step is dropped;
 * - card edits are coalesced to one per `cardIntervalMs`.
 *
 * The one exception is postNow (an approval question), which goes ahead of the queue on purpose.
 */
export class ThreadReporter {
  private items: Item[] = [];
  private live: Live | undefined;
  /** Steps whose result was queued: late progress for them is stale and never shown. */
  private readonly finished = new Set<string>();
  private seq = 0;
  private progressTimer: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;
  private card: Message | undefined;
  private lastCardAt = 0;
  private cardTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastReplyOk = true;

  constructor(
    private readonly slack: SlackPoster,
    private readonly thread: { channel: string; ts: string },
    private readonly log: Logger,
    private readonly cardIntervalMs = 1500,
  ) {}

  reply(text: string): void {
    this.items.push({ line: text });
    this.enqueue(() => this.sendItems());
  }

  /** Lossy by design: only the latest progress of a step matters, and a long copy must not flood the thread. */
  progress(text: string, step = ''): void {
    if (this.finished.has(step)) return;
    if (this.live?.step !== step) this.live = { step, seq: 0, shown: 0 };
    this.live.line = text;
    this.live.seq = ++this.seq;
    if (this.progressTimer) return;
    const wait = Math.max(0, this.lastProgressAt + this.cardIntervalMs - Date.now());
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.enqueue(() => this.sendItems());
    }, wait);
  }

  /** The step's result: it replaces the step's progress message when there is one, else it is a new reply. */
  stepDone(text: string, step = ''): void {
    this.finished.add(step);
    this.items.push({ final: text, step });
    this.enqueue(() => this.sendItems());
  }

  /** The job has ended: a progress line still waiting would only land below the final message. */
  endProgress(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    if (this.live) this.live.line = undefined;
  }

  updateCard(card: Message): void {
    this.card = card;
    if (this.cardTimer) return;
    const wait = Math.max(0, this.lastCardAt + this.cardIntervalMs - Date.now());
    this.cardTimer = setTimeout(() => {
      this.cardTimer = undefined;
      this.enqueue(() => this.sendCard());
    }, wait);
  }

  /**
   * Posts an approval question now, ahead of this thread's queued replies and progress and of every other
   * informational post waiting for the channel's pace, and broadcasts it to the channel: a question hidden in
   * a collapsed thread is a question nobody answers. Returns the ts the buttons are tracked by.
   */
  postNow(msg: Message): Promise<string> {
    return this.slack.post(this.thread.channel, msg, this.thread.ts, { urgent: true, broadcast: true });
  }

  /** False when the last reply could not be posted (so the caller can reach the requester another way). */
  delivered(): boolean {
    return this.lastReplyOk;
  }

  /** Rewrites a message of the thread other than the card and progress (an answered or voided question). */
  update(ts: string, msg: Message): Promise<void> {
    return this.slack.update(this.thread.channel, ts, msg);
  }

  async flush(): Promise<void> {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    this.enqueue(() => this.sendItems());
    if (this.cardTimer) {
      clearTimeout(this.cardTimer);
      this.cardTimer = undefined;
      this.enqueue(() => this.sendCard());
    }
    await this.queue;
  }

  /** The one queue: each call starts when the previous one has finished, failed or not. */
  private enqueue(op: () => Promise<void>): void {
    this.queue = this.queue.then(op, op);
  }

  private async sendItems(): Promise<void> {
    const items = this.items.splice(0);
    let lines: string[] = [];
    for (const item of items) {
      if ('line' in item) {
        lines.push(item.line);
        continue;
      }
      const live = this.live?.step === item.step ? this.live : undefined;
      if (live?.ts) {
        // Lines queued before the result go first, then the result takes the progress message's place.
        await this.postLines(lines);
        lines = [];
        await this.edit(live.ts, item.final);
      } else {
        lines.push(item.final);
      }
      if (live) this.live = undefined;
    }
    await this.postLines(lines);
    await this.sendProgress();
  }

  private async sendProgress(): Promise<void> {
    const live = this.live;
    if (!live?.line || live.seq <= live.shown || this.finished.has(live.step)) return;
    const { line, seq } = live;
    live.line = undefined;
    this.lastProgressAt = Date.now();
    const msg: Message = { text: `⏳ ${line}`, blocks: [section(`⏳ ${line}`)] };
    try {
      if (live.ts) await this.slack.update(this.thread.channel, live.ts, msg);
      else live.ts = await this.slack.post(this.thread.channel, msg, this.thread.ts);
      live.shown = seq;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not post progress to the job thread');
    }
  }

  private async edit(ts: string, text: string): Promise<void> {
    try {
      await this.slack.update(this.thread.channel, ts, { text, blocks: [section(text)] });
      this.lastReplyOk = true;
    } catch (err) {
      // The progress message is gone (deleted by someone?): the result must still be read, so post it.
      this.log.warn({ err: (err as Error).message }, 'could not replace the progress message; posting the result instead');
      await this.postLines([text]);
    }
  }

  private async postLines(lines: string[]): Promise<void> {
    // 45 sections per message keeps clear of the 50-block limit; longer bursts become several messages.
    for (let i = 0; i < lines.length; i += 45) {
      const chunk = lines.slice(i, i + 45);
      const msg: Message = { text: chunk.join('\n').slice(0, 3000), blocks: chunk.map((l) => section(l)) };
      try {
        await this.slack.post(this.thread.channel, msg, this.thread.ts);
        this.lastReplyOk = true;
      } catch (err) {
        // The job must not die because Slack is unreachable; the same lines are in the job log.
        this.lastReplyOk = false;
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
