import { Client } from '@elastic/elasticsearch';

export interface AckedWriterOptions {
  url: string;
  /** Clock time names the hourly index, so an accelerated clock rolls over every few real seconds. */
  now: () => number;
  /** Index name prefix; indices are `${prefix}YYYY.MM.DD.HH` by clock time (UTC), as Logstash names them. */
  prefix?: string;
  /** Documents per `_bulk`. */
  batch?: number;
  /** Real ms between bulks. */
  everyMs?: number;
  /** Distinguishes this writer's ids from any other's. */
  runId?: string;
}

interface Pending {
  index: string;
  id: string;
  doc: Record<string, unknown>;
  /** A request for it went out and no answer came back: it may be in the index already. */
  uncertain: boolean;
}

export interface WriterFigures {
  /** Per index: documents Elasticsearch acknowledged (HTTP 200/201 for the item). */
  acked: Record<string, number>;
  /** Documents refused for good (a 4xx that retrying cannot fix, e.g. a mapping error). */
  refused: number;
  /** Still unacknowledged when the writer stopped, some possibly written: never counted as acknowledged. */
  unresolved: number;
  /** Item-level and request-level failures that were retried. */
  retried: number;
  bulks: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
export function hourlyIndex(prefix: string, t: number): string {
  const d = new Date(t);
  return `${prefix}${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}.${pad(d.getUTCHours())}`;
}

/** Statuses a client should retry: back-pressure, unavailable shards, no master, a write block being lifted. */
const RETRYABLE = new Set([403, 408, 409, 429, 500, 502, 503, 504]);

/**
 * A Logstash-like writer that knows exactly what Elasticsearch acknowledged: every document has its own id,
 * so a retry after a lost answer overwrites rather than duplicates, and only items answered 2xx are counted.
 * Failed items are retried into the same index (a document belongs to the hour it was created in).
 */
export class AckedWriter {
  private readonly es: Client;
  private readonly o: Required<Omit<AckedWriterOptions, 'url'>>;
  private readonly f: WriterFigures = { acked: {}, refused: 0, unresolved: 0, retried: 0, bulks: 0 };
  private queue: Pending[] = [];
  private seq = 0;
  /** Clock ms the index names run ahead of the clock: each rollover() jumps them to the next hour. */
  private ahead = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(o: AckedWriterOptions) {
    this.es = new Client({ node: o.url, maxRetries: 0, requestTimeout: 5_000 });
    this.o = { now: o.now, prefix: o.prefix ?? 'logstash-', batch: o.batch ?? 20, everyMs: o.everyMs ?? 100, runId: o.runId ?? Math.random().toString(36).slice(2, 8) };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.writeOnce(true);
        await new Promise((r) => setTimeout(r, this.o.everyMs));
      }
    })();
  }

  /**
   * Stops producing, then keeps retrying what is unacknowledged for up to `drainMs` real ms, so the figures
   * describe settled writes. Whatever is left is reported as unresolved, not as acknowledged.
   */
  async stop(drainMs = 5_000): Promise<WriterFigures> {
    this.running = false;
    await this.loop;
    const deadline = Date.now() + drainMs;
    while (this.queue.length && Date.now() < deadline) {
      await this.writeOnce(false);
      if (this.queue.length) await new Promise((r) => setTimeout(r, 100));
    }
    this.f.unresolved = this.queue.length;
    await this.es.close();
    return this.figures();
  }

  figures(): WriterFigures {
    return { ...this.f, acked: { ...this.f.acked }, unresolved: this.running ? this.queue.length : this.f.unresolved };
  }

  /** The index new documents go to now. */
  currentIndex(): string {
    return hourlyIndex(this.o.prefix, this.o.now() + this.ahead);
  }

  /**
   * As if the hour had just turned: new documents go to the next hourly index, and one bulk is written to it at
   * once, so the index exists (created by that write, as Logstash's first document of the hour creates it)
   * when this resolves. Returns the new index's name.
   */
  async rollover(): Promise<string> {
    const t = this.o.now() + this.ahead;
    this.ahead += 3_600_000 - (t % 3_600_000);
    if (this.running) await this.writeOnce(true);
    return this.currentIndex();
  }

  totalAcked(): number {
    return Object.values(this.f.acked).reduce((a, b) => a + b, 0);
  }

  private async writeOnce(produce: boolean): Promise<void> {
    if (produce) {
      const t = this.o.now() + this.ahead;
      const index = hourlyIndex(this.o.prefix, t);
      for (let i = 0; i < this.o.batch; i++) {
        const n = this.seq++;
        this.queue.push({ index, id: `${this.o.runId}-${n}`, doc: { '@timestamp': new Date(t).toISOString(), message: `acked writer document ${n}`, seq: n }, uncertain: false });
      }
    }
    const items = this.queue;
    this.queue = [];
    if (!items.length) return;
    this.f.bulks++;
    const operations = items.flatMap((p) => [{ index: { _index: p.index, _id: p.id } }, p.doc]);
    let answer;
    try {
      answer = await this.es.bulk({ operations });
    } catch (e) {
      const status = (e as { meta?: { statusCode?: number } }).meta?.statusCode;
      // No answer at all (reset, timeout): the items may have landed. An error status: they did not.
      for (const p of items) p.uncertain ||= status === undefined;
      this.f.retried += items.length;
      this.queue.unshift(...items);
      return;
    }
    answer.items.forEach((item, i) => {
      const p = items[i];
      const r = item.index!;
      if (r.status >= 200 && r.status < 300) this.f.acked[p.index] = (this.f.acked[p.index] ?? 0) + 1;
      else if (RETRYABLE.has(r.status)) {
        this.f.retried++;
        this.queue.push(p);
      } else this.f.refused++;
    });
  }
}
