/**
 * Time-based names: a prefix and a date (logstash-2024.01.02, logs-2024-01-02-13) or a rollover counter
 * (logs-000007). Members of one series share the prefix and the shape of the suffix, so the newest one sorts last.
 */
const SERIES = /^(.+?[-_.])(\d{4}(?:[-_.]\d{2}){0,4}|\d{6,})$/;

export interface SeriesKey {
  prefix: string;
  shape: string;
}

export function seriesOf(name: string): SeriesKey | undefined {
  const m = SERIES.exec(name);
  if (!m) return undefined;
  return { prefix: m[1], shape: m[2].replace(/\d/g, '9') };
}

/** The newest member of `name`'s series among `names`, or undefined when the name is not time-based. */
export function newestOfSeries(name: string, names: string[]): string | undefined {
  const key = seriesOf(name);
  if (!key) return undefined;
  const members = names.filter((other) => {
    const k = seriesOf(other);
    return k && k.prefix === key.prefix && k.shape === key.shape;
  });
  return members.sort().at(-1);
}
