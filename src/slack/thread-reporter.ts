import type { Logger } from 'pino';
import type { Message } from './blocks/text';
import { section, sectionPieces } from './blocks/text';
import type { SlackPoster } from './slack-poster';

/** The one live progress message of a step: created by its first progress line, edited after, finalised once. */
interface Live {
  step: string;
  ts?: string;
  /** The newest line not yet sent, and its sequence number. */
  line?: string;
  seq: number;
  /** Sequence number of the line the message shows: an edit carrying an older one is stale and dropped. */
  shown: number;
  /** The text the message shows now (without the ⏳), for a final note when the step does not finish. */
  shownText?: string;
}

/**
 * A reply line; a step's result, which replaces that step's live progress message (captured when the result was
 * queued: a later step's progress must not take its place first); or a note that closes a live message whose
 * step did not finish (the job stopped, the worker shut down, or a crashed worker's message found on resume).
 */
type Item = { line: string } | { final: string; step: string; live?: Live } | { close: (shown: string | undefined) => string; live: Live };

/** What a worker that takes the job over needs to know about the thread, as far as Slack has confirmed it. */
export interface ThreadState {
  /** The live progress message showing in the thread now (not yet finalised), if any. */
  live: { step: string; ts: string } | undefined;
  /** Steps whose result line Slack accepted since the last report. */
  delivered: string[];
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
 * `onState` hears, once per batch of calls and only when it changed, which progress message is live and which
 * step results reached Slack: what the runner saves so that a worker taking over after a crash can finalise the
 * dead worker's live message and post the results it never got (no Redis write per progress edit).
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
  /** The live message Slack shows, as last reported through onState, and what changed since. */
  private shownLive: { step: string; ts: string } | undefined;
  private reportedLive: { step: string; ts: string } | undefined;
  private deliveredSteps: string[] = [];

  constructor(
    private readonly slack: SlackPoster,
    private readonly thread: { channel: string; ts: string },
    private readonly log: Logger,
    private readonly cardIntervalMs = 1500,
    private readonly onState?: (s: ThreadState) => void,
  ) {}

  reply(text: string): void {
    for (const piece of sectionPieces(text)) this.items.push({ line: piece });
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

  /**
   * Takes over a progress message an earlier run of the job posted (a job resumed after a park goes on with
   * the same wait): its progress edits that message, and its result replaces it. `shown` names what it shows.
   */
  adopt(step: string, ts: string, shown?: string): void {
    this.live = { step, ts, seq: 0, shown: 0, shownText: shown };
    this.shownLive = this.reportedLive = { step, ts };
  }

  /** The step's result: it replaces the step's progress message when there is one, else it is a new reply. */
  stepDone(text: string, step = ''): void {
    this.finished.add(step);
    const live = this.live?.step === step ? this.live : undefined;
    if (live) {
      // The result owns that message now: progress of the next step, even before this result is sent, starts
      // a message of its own instead of taking this one over.
      live.line = undefined;
      this.live = undefined;
    }
    this.items.push({ final: text, step, live });
    this.enqueue(() => this.sendItems());
  }

  /**
   * The job has ended, or stops on this worker: a progress line still waiting would only land below the final
   * message. With `note`, a progress message already in the thread is closed with it ("⏹ <last line> — note")
   * instead of being left as a "⏳" that reads as still running.
   */
  endProgress(note?: string): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    const live = this.live;
    if (!live) return;
    live.line = undefined;
    if (note === undefined) return;
    this.live = undefined;
    this.items.push({ live, close: (shown) => `⏹ ${shown ? `${shown} — ` : ''}${note}` });
    this.enqueue(() => this.sendItems());
  }

  /** Closes a progress message found in the thread that no step of this run will finish (left by a dead worker). */
  closeStale(step: string, ts: string, text: string): void {
    this.items.push({ live: { step, ts, seq: 0, shown: 0 }, close: () => text });
    if (!this.shownLive) this.shownLive = this.reportedLive = { step, ts };
    this.enqueue(() => this.sendItems());
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
    let lines: Array<{ text: string; step?: string }> = [];
    for (const item of items) {
      if ('line' in item) {
        lines.push({ text: item.line });
        continue;
      }
      const { live } = item;
      if (!live?.ts) {
        // Never shown: a result becomes a reply of its own; a note about progress nobody saw is not needed.
        if ('final' in item) lines.push({ text: item.final, step: item.step });
        continue;
      }
      // Lines queued before go first, then the message is rewritten in its place.
      await this.postLines(lines);
      lines = [];
      const ok = 'final' in item ? await this.edit(live.ts, item.final) : await this.edit(live.ts, item.close(live.shownText), { fallback: false });
      if (!ok) continue;
      if ('final' in item) this.deliveredSteps.push(item.step);
      // Finalised (or its result posted instead, when the message is gone): no longer a live message.
      if (this.shownLive?.ts === live.ts) this.shownLive = undefined;
    }
    await this.postLines(lines);
    await this.sendProgress();
    this.report();
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
      else {
        live.ts = await this.slack.post(this.thread.channel, msg, this.thread.ts);
        this.shownLive = { step: live.step, ts: live.ts };
      }
      live.shown = seq;
      live.shownText = line;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not post progress to the job thread');
    }
  }

  /** Tells the listener what changed, once per batch: nothing at all for plain progress edits. */
  private report(): void {
    if (!this.onState) return;
    const liveChanged = this.shownLive?.ts !== this.reportedLive?.ts;
    if (!liveChanged && this.deliveredSteps.length === 0) return;
    const delivered = this.deliveredSteps.splice(0);
    this.reportedLive = this.shownLive;
    try {
      this.onState({ live: this.shownLive, delivered });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not record the thread state');
    }
  }

  /** True when the text is in the thread: the message rewritten, or (when it is gone) posted as a new reply. */
  private async edit(ts: string, text: string, o: { fallback?: boolean } = {}): Promise<boolean> {
    try {
      await this.slack.update(this.thread.channel, ts, { text, blocks: [section(text)] });
      this.lastReplyOk = true;
      return true;
    } catch (err) {
      if (o.fallback === false) {
        this.log.warn({ err: (err as Error).message }, 'could not close a progress message');
        return false;
      }
      // The progress message is gone (deleted by someone?): the result must still be read, so post it.
      this.log.warn({ err: (err as Error).message }, 'could not replace the progress message; posting the result instead');
      return this.postLines([{ text }]);
    }
  }

  /** Step results among the lines are reported delivered once the message carrying them is accepted. */
  private async postLines(lines: Array<{ text: string; step?: string }>): Promise<boolean> {
    let ok = true;
    // 45 sections per message keeps clear of the 50-block limit; longer bursts become several messages.
    for (let i = 0; i < lines.length; i += 45) {
      const chunk = lines.slice(i, i + 45);
      const msg: Message = { text: chunk.map((l) => l.text).join('\n').slice(0, 3000), blocks: chunk.map((l) => section(l.text)) };
      try {
        await this.slack.post(this.thread.channel, msg, this.thread.ts);
        this.lastReplyOk = true;
        for (const l of chunk) if (l.step !== undefined) this.deliveredSteps.push(l.step);
      } catch (err) {
        // The job must not die because Slack is unreachable; the same lines are in the job log.
        this.lastReplyOk = false;
        ok = false;
        this.log.warn({ err: (err as Error).message }, 'could not post to the job thread');
      }
    }
    return ok;
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
