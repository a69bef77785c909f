import { illegalArgument, parsingError } from './errors';

const UNIT_MS: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Elasticsearch time values ("30s", "1m", "-1", "500ms"); a bare number means milliseconds. */
export function parseDuration(value: unknown, setting = 'timeout'): number {
  if (typeof value === 'number') return value;
  const s = String(value).trim();
  if (s === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)?$/.exec(s);
  if (!m) throw illegalArgument(`failed to parse setting [${setting}] with value [${s}] as a time value: unit is missing or unrecognized`);
  return Number(m[1]) * UNIT_MS[m[2] ?? 'ms'];
}

/** Human byte sizes as _cat prints them ("1.2mb", "512b"). */
export function humanBytes(n: number): string {
  const units = ['b', 'kb', 'mb', 'gb', 'tb'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${n}b`;
  return `${Number(v.toFixed(1))}${units[i]}`;
}

const MATH_UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, H: 3_600_000, d: 86_400_000, w: 604_800_000 };

function roundDown(t: number, unit: string): number {
  const d = new Date(t);
  switch (unit) {
    case 'y': return Date.UTC(d.getUTCFullYear(), 0);
    case 'M': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth());
    case 'w': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - (((d.getUTCDay() + 6) % 7) * 86_400_000);
    }
    default: {
      const size = MATH_UNIT_MS[unit];
      if (!size) throw parsingError(`unit [${unit}] not supported for date math`);
      return Math.floor(t / size) * size;
    }
  }
}

function addUnits(t: number, n: number, unit: string): number {
  if (unit === 'y' || unit === 'M') {
    const d = new Date(t);
    if (unit === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
    else d.setUTCMonth(d.getUTCMonth() + n);
    return d.getTime();
  }
  const size = MATH_UNIT_MS[unit];
  if (!size) throw parsingError(`unit [${unit}] not supported for date math`);
  return t + n * size;
}

/** Date math as range queries accept it: "now-1h", "now/d", "2024-01-01||+1d", ISO strings, epoch millis. */
export function parseDateMath(value: unknown, now: number, roundUp = false): number {
  if (typeof value === 'number') return value;
  const s = String(value);
  let anchor: number;
  let rest: string;
  if (s.startsWith('now')) {
    anchor = now;
    rest = s.slice(3);
  } else {
    const [base, math = ''] = s.split('||');
    anchor = /^\d+$/.test(base) ? Number(base) : Date.parse(base);
    if (Number.isNaN(anchor)) throw parsingError(`failed to parse date field [${s}]`);
    rest = math;
  }
  const re = /([+-])(\d+)([yMwdhHms])|\/([yMwdhHms])/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest))) {
    consumed += m[0].length;
    if (m[4]) {
      const unit = m[4];
      anchor = roundDown(anchor, unit);
      if (roundUp) anchor = addUnits(anchor, 1, unit) - 1;
    } else {
      anchor = addUnits(anchor, (m[1] === '-' ? -1 : 1) * Number(m[2]), m[3]);
    }
  }
  if (consumed !== rest.length) throw parsingError(`failed to parse date math [${s}]`);
  return anchor;
}

/** Interval strings of date_histogram: fixed ("90s", "1h") or calendar ("hour", "1d", "month"). */
export function intervalMs(fixed: string | undefined, calendar: string | undefined): { ms: number; calendar?: 'M' | 'y' } {
  if (fixed) return { ms: parseDuration(fixed, 'fixed_interval') };
  const c = String(calendar);
  const names: Record<string, string> = { minute: '1m', hour: '1h', day: '1d', week: '1w', month: '1M', quarter: '3M', year: '1y' };
  const v = names[c] ?? c;
  const m = /^1([mhdwMqy])$/.exec(v) ?? /^([3])M$/.exec(v);
  if (!m) throw illegalArgument(`The supplied interval [${c}] could not be parsed as a calendar interval.`);
  if (v === '1M') return { ms: 0, calendar: 'M' };
  if (v === '1y') return { ms: 0, calendar: 'y' };
  return { ms: v === '1w' ? 604_800_000 : parseDuration(v) };
}
