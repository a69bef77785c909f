import { parsingError } from './errors';
import { parseDateMath } from './time-units';

/**
 * Dates as a `date` field with the default format (strict_date_optional_time||epoch_millis) parses them in
 * queries. Values without an offset are UTC (the simulator does not model `time_zone`). When rounding up (the
 * upper bound of `lte`, the lower bound of `gt`, and a term's upper end), fields missing from a partial date are
 * filled with their maximum, as Elasticsearch's date math parser does: `lte: "2024-01-01"` includes that whole day.
 */
const PARTIAL = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parsePartial(s: string, roundUp: boolean): number | undefined {
  const m = PARTIAL.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const num = (v: string | undefined, dflt: number) => (v === undefined ? dflt : Number(v));
  let offsetMs = 0;
  if (zone && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offsetMs = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000;
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const start = Date.UTC(Number(y), num(mo, 1) - 1, num(d, 1), num(h, 0), num(mi, 0), num(sec, 0), ms) - offsetMs;
  if (!roundUp || frac !== undefined) return start;
  // Round up to the last millisecond of the least significant field given.
  const next =
    mo === undefined ? Date.UTC(Number(y) + 1, 0) - offsetMs
    : d === undefined ? Date.UTC(Number(y), Number(mo), 1) - offsetMs
    : h === undefined ? start + 86_400_000
    : mi === undefined ? start + 3_600_000
    : sec === undefined ? start + 60_000
    : start + 1000;
  return next - 1;
}

export function parseDateValue(value: unknown, now: number, roundUp = false): number {
  if (typeof value === 'number') return value;
  const s = String(value).trim();
  if (/^-?\d+$/.test(s) && !/^\d{4}$/.test(s)) return Number(s); // epoch_millis (a bare 4-digit year is a year)
  if (s.startsWith('now')) return parseDateMath(s, now, roundUp);
  const [base, math] = s.split('||');
  const t = parsePartial(base, roundUp && math === undefined);
  if (t === undefined) throw parsingError(`failed to parse date field [${s}] with format [strict_date_optional_time||epoch_millis]`);
  return math === undefined ? t : parseDateMath(`${t}||${math}`, now, roundUp);
}

/** A _source date value as the field indexed it (epoch millis), or undefined when it is not a date. */
export function docDate(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const t = parsePartial(String(v), false);
  return t ?? (/^-?\d+$/.test(String(v)) ? Number(v) : undefined);
}
