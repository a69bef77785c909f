import type { Clock } from '../../src/clock';
import { EsError } from '../elasticsearch/errors';
import { generateLogDocs } from '../log-docs';

/** The parts of the simulated cluster a spike writes through: the time series' current index, and the write path. */
export interface SpikeTarget {
  clock: Clock;
  currentIndex(): string;
  indexDocs(index: string, docs: Array<Record<string, unknown>>): void;
}

export interface SpikeOptions {
  /** Clock ms the spike lasts. */
  durationMs?: number;
  /** Extra access-log documents per clock minute while it lasts, on top of the steady series. */
  docsPerMinute?: number;
  /** Share of the extra documents answered 5xx. */
  status5xxRatio?: number;
}

export interface Spike5xx {
  /** Starts (or restarts) a spike now; returns when it ends, in clock ms. */
  start(o?: SpikeOptions): number;
  status(): { active: boolean; until?: number; written: number; rejected: number };
  stop(): void;
}

/**
 * A burst of failing requests in the simulated access logs (the `logstash-*` series the sandbox writes), as an
 * outage looks to Elastalert: the steady series keeps its 1 % of 5xx, and this adds documents that are mostly
 * 5xx into the same index for a few clock minutes. Written every 250 ms of real time so the burst is spread
 * over its window as real traffic would be, not dropped in at once.
 */
export function spike5xx(target: SpikeTarget): Spike5xx {
  let timer: NodeJS.Timeout | undefined;
  let until: number | undefined;
  let written = 0;
  let rejected = 0;
  let seed = 5_000;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    until = undefined;
  };
  return {
    start(o = {}) {
      stop();
      const { durationMs = 10 * 60_000, docsPerMinute = 600, status5xxRatio = 0.6 } = o;
      let last = target.clock.now();
      const end = last + durationMs;
      until = end;
      let carry = 0;
      timer = setInterval(() => {
        const now = Math.min(target.clock.now(), end);
        carry += (docsPerMinute * (now - last)) / 60_000;
        const count = Math.floor(carry);
        carry -= count;
        if (count > 0) {
          const docs = generateLogDocs({ count, from: last, to: now, seed: seed++, spike: { at: last, durationMs: now - last + 1, status5xxRatio } });
          try {
            target.indexDocs(target.currentIndex(), docs as unknown as Array<Record<string, unknown>>);
            written += count;
          } catch (e) {
            // A red or blocked index refuses writes, as a real one would; the spike goes on with the next batch.
            if (!(e instanceof EsError)) throw e;
            rejected += count;
          }
        }
        last = now;
        if (now >= end) stop();
      }, 250);
      timer.unref();
      return end;
    },
    status: () => ({ active: timer !== undefined, until, written, rejected }),
    stop,
  };
}
