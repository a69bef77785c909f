/**
 * ruletypes.py EventWindow: events kept in timestamp order (a new event goes after equal timestamps, as
 * SortedKeyList.add does); after each append the oldest are dropped while newest − oldest ≥ timeframe, so the
 * window always spans strictly less than one timeframe.
 */

export interface WindowEntry {
  ts: number;
  fields: Record<string, unknown>;
  count: number;
  placeholder?: boolean;
}

export class EventWindow {
  data: WindowEntry[] = [];
  private running = 0;

  constructor(
    private readonly timeframeMs: number,
    private readonly onRemoved?: (e: WindowEntry) => void,
  ) {}

  clear(): void {
    this.data = [];
    this.running = 0;
  }

  append(e: WindowEntry): void {
    let i = this.data.length;
    while (i > 0 && this.data[i - 1].ts > e.ts) i--;
    this.data.splice(i, 0, e);
    this.running += e.count;
    while (this.duration() >= this.timeframeMs) {
      const oldest = this.data.shift()!;
      this.running -= oldest.count;
      this.onRemoved?.(oldest);
    }
  }

  duration(): number {
    return this.data.length ? this.data[this.data.length - 1].ts - this.data[0].ts : 0;
  }

  count(): number {
    return this.running;
  }

  /** Mean of counts over non-placeholder entries (field_value spikes), or undefined. */
  mean(): number | undefined {
    const real = this.data.filter((d) => !d.placeholder);
    return real.length ? real.reduce((s, d) => s + d.count, 0) / real.length : undefined;
  }
}
