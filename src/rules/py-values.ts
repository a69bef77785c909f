/**
 * Python value semantics the rule engine needs to print what Elastalert prints.
 *
 * JavaScript has one number type; Python prints `2` (int) and `2.0` (float) differently, and Elastalert's alert
 * text is `str.format` over Python values. A YAML float literal (`spike_height: 2.0`) or a count averaged from a
 * field is carried as a `PyFloat` so it prints as Python would; a plain integral JS number prints as an int.
 * Timedeltas (rule `timeframe`, `realert` …) are `PyTimedelta` so they print `0:15:00`, `1 day, 2:00:00`.
 */

export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python `datetime.timedelta`, held in microseconds as Python does (integer). */
export class PyTimedelta {
  readonly micros: number;
  constructor(ms: number) {
    // Python rounds timedelta(**units) to whole microseconds (round-half-even; half-cases are vanishingly rare here).
    this.micros = Math.round(ms * 1000);
  }
  get ms(): number {
    return this.micros / 1000;
  }
}

export type PyValue = unknown;

/** The numeric value of a number or PyFloat, else undefined. */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  return undefined;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    // JS toExponential() without digits gives the shortest round-trip mantissa, like Python's repr.
    const [mant, exp] = x.toExponential().split('e');
    const e = Number(exp);
    const sign = e < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** Python's `str(timedelta)`. */
export function pyTimedeltaStr(td: PyTimedelta): string {
  let micros = td.micros;
  // Python normalises to days (may be negative) + non-negative seconds + microseconds.
  const dayMicros = 86_400_000_000;
  const days = Math.floor(micros / dayMicros);
  micros -= days * dayMicros;
  const us = micros % 1_000_000;
  let secs = (micros - us) / 1_000_000;
  const h = Math.floor(secs / 3600);
  secs -= h * 3600;
  const m = Math.floor(secs / 60);
  const s = secs - m * 60;
  let out = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  if (us) out += `.${String(us).padStart(6, '0')}`;
  if (days) out = `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${out}`;
  return out;
}

/** Python's `repr(str)`: single quotes unless the text holds a single quote and no double quote. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

/** Python's `str(value)` for the values a rule or a match can hold. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof PyTimedelta) return pyTimedeltaStr(v);
  return pyRepr(v);
}

/** Python's `repr(value)`. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyStrRepr(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(BigInt(v)) : pyFloatRepr(v);
  if (typeof v === 'bigint') return String(v);
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (v instanceof PyTimedelta) return pyTimedeltaRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, val]) => `${pyStrRepr(k)}: ${pyRepr(val)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

function pyTimedeltaRepr(td: PyTimedelta): string {
  const dayMicros = 86_400_000_000;
  const days = Math.floor(td.micros / dayMicros);
  const rest = td.micros - days * dayMicros;
  const us = rest % 1_000_000;
  const seconds = (rest - us) / 1_000_000;
  const parts: string[] = [];
  if (days) parts.push(`days=${days}`);
  if (seconds) parts.push(`seconds=${seconds}`);
  if (us) parts.push(`microseconds=${us}`);
  return `datetime.timedelta(${parts.join(', ') || '0'})`;
}

/** Python truthiness (`if alert_value:` in alerts.py). */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0) return false;
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof PyTimedelta) return v.micros !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}
