import { generateLogDocs } from '../log-docs';
import type { SimCluster } from './cluster';
import { EsError } from './errors';

export interface TimeSeriesOptions {
  /** Index name prefix, e.g. 'logstash-'. */
  prefix: string;
  every: 'hour' | 'day';
  docsPerMinute: number;
  shards: number;
  replicas: number;
  seed?: number;
}

export interface TimeSeriesHandle {
  stop(): void;
  /** Writes what is due up to `now`; true if anything changed. */
  tick(now: number): boolean;
  /** Documents acknowledged / rejected (blocked, red or no master) so far. */
  readonly written: number;
  readonly rejected: number;
  currentIndex(): string;
  /** Starts the next period's index now, as if the hour (or day) had just turned; returns its name. */
  rollover(): string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** logstash-YYYY.MM.DD(.HH) in UTC, as Logstash names its indices. */
export function timeSeriesIndexName(prefix: string, every: 'hour' | 'day', t: number): string {
  const d = new Date(t);
  const day = `${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
  return every === 'hour' ? `${prefix}${day}.${pad(d.getUTCHours())}` : `${prefix}${day}`;
}

/** Keeps writing log documents to the newest index of a series, creating a new index each period. */
export function startTimeSeries(cluster: SimCluster, opts: TimeSeriesOptions, onStop: () => void): TimeSeriesHandle {
  let last = cluster.clock.now();
  let carry = 0;
  let written = 0;
  let rejected = 0;
  let seed = opts.seed ?? 7;
  let stopped = false;
  // Clock ms the series runs ahead of the clock: each rollover() jumps it to the next period boundary.
  let ahead = 0;
  const period = opts.every === 'hour' ? 3_600_000 : 86_400_000;
  const handle: TimeSeriesHandle = {
    stop() {
      stopped = true;
      onStop();
    },
    get written() {
      return written;
    },
    get rejected() {
      return rejected;
    },
    currentIndex: () => timeSeriesIndexName(opts.prefix, opts.every, cluster.clock.now() + ahead),
    rollover() {
      const t = cluster.clock.now() + ahead;
      ahead += period - (t % period);
      handle.tick(cluster.clock.now());
      cluster.changed();
      return handle.currentIndex();
    },
    tick(now) {
      if (stopped) return false;
      const name = timeSeriesIndexName(opts.prefix, opts.every, now + ahead);
      let changed = false;
      if (!cluster.indices.has(name) && cluster.masterNode()) {
        cluster.createIndexInternal(name, {
          settings: { 'index.number_of_shards': opts.shards, 'index.number_of_replicas': opts.replicas },
        });
        changed = true;
      }
      carry += (opts.docsPerMinute * (now - last)) / 60_000;
      const n = Math.floor(carry);
      carry -= n;
      if (n > 0) {
        for (const doc of generateLogDocs({ count: n, from: last, to: now, seed: seed++ })) {
          try {
            cluster.write(name, 'index', undefined, doc as unknown as Record<string, unknown>);
            written++;
          } catch (e) {
            if (!(e instanceof EsError)) throw e;
            rejected++;
          }
        }
        changed = true;
      }
      last = now;
      return changed;
    },
  };
  return handle;
}
