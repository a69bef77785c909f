/**
 * pino's JSON lines made readable for a person at a terminal: `12:03:04.512 INFO  message key=value`. Only used
 * when stdout is a TTY; pipes, files and log collectors keep the JSON. pino-pretty would do this, but one
 * small function is less to install than a dependency with a dozen of its own.
 */

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '36' },
  30: { name: 'INFO ', color: '32' },
  40: { name: 'WARN ', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};
/** Fields every line has, shown in the prefix (or not at all: pid and hostname say nothing at a terminal). */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

export function formatLogLine(line: string, color = false): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line);
  } catch {
    return line.replace(/\n?$/, '\n'); // not pino's: shown as it came
  }
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const level = LEVELS[Number(rec.level)] ?? { name: String(rec.level).toUpperCase().padEnd(5), color: '0' };
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const pairs = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${paint('90', `${k}=`)}${value(v)}`);
  return `${paint('90', time)} ${paint(level.color, level.name)} ${String(rec.msg ?? '')}${pairs.length ? ` ${pairs.join(' ')}` : ''}\n`;
}

/** Bare words stay bare; anything with spaces or quotes is quoted so key=value pairs stay unambiguous. */
function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** A pino destination that writes formatted lines to `out` (stdout by default). */
export function prettyStream(out: NodeJS.WritableStream = process.stdout, color = true): { write(line: string): void } {
  return { write: (chunk: string) => void out.write(chunk.split('\n').filter(Boolean).map((l) => formatLogLine(l, color)).join('')) };
}
