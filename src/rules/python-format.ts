/**
 * Python's `str.format` — what Elastalert calls on `alert_text` / `alert_subject` (alerts.py).
 *
 * Supported: literal `{{` `}}`, auto-numbered `{}` and manual `{0}` fields (mixing is Python's ValueError),
 * `{name}` keyword fields, `{0[1]}` / `{0[key]}` item access, `!r` `!s` `!a` conversions, and the format-spec
 * mini-language for str, int and float: fill/align, sign, `#`, `0`, width, `,` `_` grouping, precision and the
 * types `s d n b o x X c e E f F g G %`. A nested spec (`{0:{1}}`) is expanded first, as Python does.
 * Errors are thrown as `PythonFormatError` with Python's exception type and message, because Elastalert lets
 * them escape (the alert fails, and with `disable_rules_on_error` the rule is disabled).
 */
import { PyFloat, pyFloatRepr, pyRepr, pyStr } from './py-values';

export class PythonFormatError extends Error {
  constructor(
    readonly pythonType: 'IndexError' | 'KeyError' | 'ValueError' | 'TypeError' | 'AttributeError',
    message: string,
  ) {
    super(`${pythonType}: ${message}`);
    this.name = 'PythonFormatError';
  }
}

/** One replacement field found in a format string (used by validation to check args). */
export interface FormatField {
  /** Positional index (after auto-numbering), or the keyword name. */
  ref: number | string;
  /** The text between the braces, for messages. */
  source: string;
}

interface Piece {
  literal?: string;
  field?: { name: string; conversion?: string; spec: string; source: string };
}

function parse(format: string): Piece[] {
  const pieces: Piece[] = [];
  let lit = '';
  let i = 0;
  while (i < format.length) {
    const ch = format[i];
    if (ch === '{') {
      if (format[i + 1] === '{') {
        lit += '{';
        i += 2;
        continue;
      }
      // Find the matching close brace, allowing one level of nesting inside the spec.
      let depth = 1;
      let j = i + 1;
      while (j < format.length && depth > 0) {
        if (format[j] === '{') depth++;
        else if (format[j] === '}') depth--;
        if (depth > 0) j++;
      }
      if (depth > 0) throw new PythonFormatError('ValueError', "expected '}' before end of string");
      const source = format.slice(i + 1, j);
      if (lit) pieces.push({ literal: lit });
      lit = '';
      pieces.push({ field: splitField(source) });
      i = j + 1;
    } else if (ch === '}') {
      if (format[i + 1] !== '}') throw new PythonFormatError('ValueError', "Single '}' encountered in format string");
      lit += '}';
      i += 2;
    } else {
      lit += ch;
      i++;
    }
  }
  if (lit) pieces.push({ literal: lit });
  return pieces;
}

function splitField(source: string): NonNullable<Piece['field']> {
  // The field name ends at the first '!' or ':' outside brackets.
  let k = 0;
  let inBracket = false;
  for (; k < source.length; k++) {
    const c = source[k];
    if (c === '[') inBracket = true;
    else if (c === ']') inBracket = false;
    else if (!inBracket && (c === '!' || c === ':')) break;
  }
  const name = source.slice(0, k);
  let rest = source.slice(k);
  let conversion: string | undefined;
  if (rest.startsWith('!')) {
    conversion = rest[1];
    rest = rest.slice(2);
    if (conversion === undefined || !'rsa'.includes(conversion))
      throw new PythonFormatError('ValueError', `Unknown conversion specifier ${conversion ?? ''}`);
    if (rest && !rest.startsWith(':'))
      throw new PythonFormatError('ValueError', "expected ':' after conversion specifier");
  }
  const spec = rest.startsWith(':') ? rest.slice(1) : '';
  return { name, conversion, spec, source };
}

/** The argument name part of a field name (`0` of `0[x].y`, `''` for auto). */
function argName(name: string): string {
  const m = /^[^.[]*/.exec(name);
  return m ? m[0] : '';
}

/** Lists the replacement fields of a format string, numbering auto fields as Python would. */
export function formatFields(format: string): FormatField[] {
  const out: FormatField[] = [];
  let auto = 0;
  let mode: 'auto' | 'manual' | undefined;
  const visit = (pieces: Piece[]) => {
    for (const p of pieces) {
      if (!p.field) continue;
      const a = argName(p.field.name);
      if (a === '') {
        if (mode === 'manual')
          throw new PythonFormatError('ValueError', 'cannot switch from manual field specification to automatic field numbering');
        mode = 'auto';
        out.push({ ref: auto++, source: p.field.source });
      } else if (/^\d+$/.test(a)) {
        if (mode === 'auto')
          throw new PythonFormatError('ValueError', 'cannot switch from automatic field numbering to manual field specification');
        mode = 'manual';
        out.push({ ref: Number(a), source: p.field.source });
      } else out.push({ ref: a, source: p.field.source });
      if (p.field.spec.includes('{')) visit(parse(p.field.spec));
    }
  };
  visit(parse(format));
  return out;
}

/** `format.format(*args, **kwargs)` with Python's semantics. */
export function pythonFormat(format: string, args: readonly unknown[], kwargs: Record<string, unknown> = {}): string {
  const state = { auto: 0, mode: undefined as 'auto' | 'manual' | undefined };
  return render(parse(format), args, kwargs, state, 2);
}

function render(
  pieces: Piece[],
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
  state: { auto: number; mode: 'auto' | 'manual' | undefined },
  depth: number,
): string {
  if (depth < 0) throw new PythonFormatError('ValueError', 'Max string recursion exceeded');
  let out = '';
  for (const p of pieces) {
    if (p.literal !== undefined) {
      out += p.literal;
      continue;
    }
    const f = p.field!;
    let value = resolveField(f.name, args, kwargs, state);
    if (f.conversion === 'r' || f.conversion === 'a') value = pyRepr(value);
    else if (f.conversion === 's') value = pyStr(value);
    const spec = f.spec.includes('{') ? render(parse(f.spec), args, kwargs, state, depth - 1) : f.spec;
    out += formatValue(value, spec);
  }
  return out;
}

function resolveField(
  name: string,
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
  state: { auto: number; mode: 'auto' | 'manual' | undefined },
): unknown {
  const a = argName(name);
  let value: unknown;
  if (a === '' || /^\d+$/.test(a)) {
    let index: number;
    if (a === '') {
      if (state.mode === 'manual')
        throw new PythonFormatError('ValueError', 'cannot switch from manual field specification to automatic field numbering');
      state.mode = 'auto';
      index = state.auto++;
    } else {
      if (state.mode === 'auto')
        throw new PythonFormatError('ValueError', 'cannot switch from automatic field numbering to manual field specification');
      state.mode = 'manual';
      index = Number(a);
    }
    if (index >= args.length)
      throw new PythonFormatError('IndexError', `Replacement index ${index} out of range for positional args tuple`);
    value = args[index];
  } else {
    if (!(a in kwargs)) throw new PythonFormatError('KeyError', pyRepr(a));
    value = kwargs[a];
  }
  // Trailing .attr / [key] accessors.
  let rest = name.slice(a.length);
  while (rest) {
    const item = /^\[([^\]]*)\]/.exec(rest);
    const attr = /^\.([^.[]+)/.exec(rest);
    if (item) {
      const key = item[1];
      if (Array.isArray(value)) {
        if (!/^\d+$/.test(key)) throw new PythonFormatError('TypeError', 'list indices must be integers or slices, not str');
        if (Number(key) >= value.length) throw new PythonFormatError('IndexError', 'list index out of range');
        value = value[Number(key)];
      } else if (value && typeof value === 'object' && !(value instanceof PyFloat)) {
        // Python passes a digit-only key as an int; JSON object keys are strings, so an int key never matches.
        const lookup: string | number = /^\d+$/.test(key) ? Number(key) : key;
        if (typeof lookup === 'number' || !(key in (value as object))) throw new PythonFormatError('KeyError', pyRepr(lookup));
        value = (value as Record<string, unknown>)[key];
      } else throw new PythonFormatError('TypeError', `'${pyTypeName(value)}' object is not subscriptable`);
      rest = rest.slice(item[0].length);
    } else if (attr) {
      throw new PythonFormatError('AttributeError', `'${pyTypeName(value)}' object has no attribute ${pyRepr(attr[1])}`);
    } else throw new PythonFormatError('ValueError', 'Only \'.\' or \'[\' may follow \']\' in format field specifier');
  }
  return value;
}

export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof PyFloat) return 'float';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object' && v.constructor?.name === 'PyTimedelta') return 'datetime.timedelta';
  return 'dict';
}

interface Spec {
  fill: string;
  align?: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping?: string;
  precision?: number;
  type: string;
}

function parseSpec(spec: string): Spec {
  const m = /^(?:(.)?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su.exec(spec);
  if (!m) throw new PythonFormatError('ValueError', 'Invalid format specifier');
  return {
    fill: m[1] ?? (m[6] && !m[2] ? '0' : ' '),
    align: m[2] ?? (m[6] ? '=' : undefined),
    sign: m[3] ?? '-',
    alt: !!m[5],
    zero: !!m[6],
    width: m[7] ? Number(m[7]) : 0,
    grouping: m[8],
    precision: m[9] !== undefined ? Number(m[9]) : undefined,
    type: m[10] ?? '',
  };
}

function formatValue(value: unknown, spec: string): string {
  if (spec === '') return pyStr(value);
  if (typeof value === 'string') return formatStr(value, parseSpec(spec));
  if (typeof value === 'boolean') return formatNumber(value ? 1 : 0, false, parseSpec(spec));
  if (typeof value === 'number') return formatNumber(value, !Number.isInteger(value), parseSpec(spec));
  if (value instanceof PyFloat) return formatNumber(value.value, true, parseSpec(spec));
  throw new PythonFormatError('TypeError', `unsupported format string passed to ${pyTypeName(value)}.__format__`);
}

function pad(body: string, s: Spec, defaultAlign: string, signPart = ''): string {
  const align = s.align ?? defaultAlign;
  const len = [...signPart].length + [...body].length;
  const n = Math.max(0, s.width - len);
  if (align === '=') return signPart + s.fill.repeat(n) + body;
  const text = signPart + body;
  if (align === '<') return text + s.fill.repeat(n);
  if (align === '>') return s.fill.repeat(n) + text;
  const left = Math.floor(n / 2);
  return s.fill.repeat(left) + text + s.fill.repeat(n - left);
}

function formatStr(v: string, s: Spec): string {
  if (s.type && s.type !== 's') throw new PythonFormatError('ValueError', `Unknown format code '${s.type}' for object of type 'str'`);
  if (s.sign !== '-' || s.alt) throw new PythonFormatError('ValueError', 'Sign not allowed in string format specifier');
  if (s.align === '=') throw new PythonFormatError('ValueError', "'=' alignment not allowed in string format specifier");
  const body = s.precision !== undefined ? [...v].slice(0, s.precision).join('') : v;
  return pad(body, s, '<');
}

function group(intDigits: string, sep: string, every: number): string {
  let out = '';
  for (let i = 0; i < intDigits.length; i++) {
    if (i > 0 && (intDigits.length - i) % every === 0) out += sep;
    out += intDigits[i];
  }
  return out;
}

function formatNumber(x: number, isFloat: boolean, s: Spec): string {
  let type = s.type;
  if (!isFloat && 'bcdoxXn'.includes(type || 'd')) {
    if (s.precision !== undefined) throw new PythonFormatError('ValueError', 'Precision not allowed in integer format specifier');
    if (type === 'c') return pad(String.fromCodePoint(x), s, '<');
    const neg = x < 0;
    const abs = BigInt(Math.abs(x));
    const radix = type === 'b' ? 2 : type === 'o' ? 8 : type === 'x' || type === 'X' ? 16 : 10;
    let digits = abs.toString(radix);
    if (type === 'X') digits = digits.toUpperCase();
    if (s.grouping) digits = group(digits, s.grouping, radix === 10 ? 3 : 4);
    const prefix = s.alt && radix !== 10 ? `0${type === 'X' ? 'X' : type}` : '';
    return pad(digits, s, '>', signOf(neg, s) + prefix);
  }
  if (!isFloat && !'eEfFgG%'.includes(type)) throw new PythonFormatError('ValueError', `Unknown format code '${type}' for object of type 'int'`);
  if (isFloat && 'bcdoxX'.includes(type) && type !== '')
    throw new PythonFormatError('ValueError', `Unknown format code '${type}' for object of type 'float'`);
  const neg = x < 0 || Object.is(x, -0);
  let abs = Math.abs(x);
  let suffix = '';
  if (type === '%') {
    abs *= 100;
    suffix = '%';
  }
  let body: string;
  if (!Number.isFinite(abs)) body = Number.isNaN(abs) ? 'nan' : 'inf';
  else if (type === 'f' || type === 'F' || type === '%') body = toFixedEven(abs, s.precision ?? 6);
  else if (type === 'e' || type === 'E') body = toExp(abs, s.precision ?? 6);
  else if (type === 'g' || type === 'G' || type === 'n') body = toGeneral(abs, s.precision ?? 6, s.alt, false);
  else if (s.precision === undefined) body = isFloat ? pyFloatRepr(abs) : String(abs);
  else body = toGeneral(abs, s.precision, s.alt, true);
  if (s.alt && !body.includes('.') && /^\d/.test(body) && (type === 'f' || type === 'F' || type === 'e' || type === 'E' || type === '%')) {
    body = body.replace(/^(\d+)/, '$1.');
  }
  if (type === 'E' || type === 'G' || type === 'F') body = body.toUpperCase();
  if (s.grouping) {
    const m = /^(\d+)(.*)$/s.exec(body);
    if (m) body = group(m[1], s.grouping, 3) + m[2];
  }
  return pad(body + suffix, s, '>', signOf(neg && !Number.isNaN(x), s));
}

function signOf(neg: boolean, s: Spec): string {
  if (neg) return '-';
  return s.sign === '+' ? '+' : s.sign === ' ' ? ' ' : '';
}

/**
 * Fixed-point with Python's rounding: round-half-even on the exact binary value. JS `toFixed` rounds exact ties
 * up, so a tie (2.5 → '2') is detected and corrected; non-ties agree.
 */
function toFixedEven(x: number, p: number): string {
  const fixed = x.toFixed(Math.min(p, 100));
  const scaled = x * 10 ** p;
  if (Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52 && scaled - Math.floor(scaled) === 0.5 && (Math.floor(scaled) + 0.5) / 10 ** p === x) {
    const down = Math.floor(scaled);
    if (down % 2 === 0) {
      const s = String(down).padStart(p + 1, '0');
      return p ? `${s.slice(0, s.length - p)}.${s.slice(s.length - p)}` : s;
    }
  }
  return fixed;
}

function toExp(x: number, p: number): string {
  const [mant, exp] = x.toExponential(Math.min(p, 100)).split('e');
  const e = Number(exp);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Python's 'g' (and the no-type float form with a precision, which keeps at least one fractional digit). */
function toGeneral(x: number, precision: number, alt: boolean, noType: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return noType ? '0.0' : alt ? `0.${'0'.repeat(p - 1)}` : '0';
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  let body: string;
  if (exp >= -4 && exp < p) {
    body = toFixedEven(x, p - 1 - exp);
    if (!alt && body.includes('.')) body = body.replace(/\.?0+$/, '');
    if (noType && !body.includes('.')) body += '.0';
  } else {
    body = toExp(x, p - 1);
    if (!alt) body = body.replace(/\.?0+e/, 'e');
  }
  return body;
}
