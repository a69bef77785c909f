/**
 * Elasticsearch's byte-size values ("40mb", "1.5gb", "512kb", "-1"), as ByteSizeValue parses them: binary
 * multiples (ES's "mb" is MiB), case-insensitive, the unit required except for 0 and -1. Undefined when ES
 * itself would refuse the value, so a caller never estimates from a figure it misread.
 */
const UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, p: 1024 ** 5, pb: 1024 ** 5 };

export function parseByteSize(value: unknown): number | undefined {
  const s = String(value ?? '').trim().toLowerCase();
  if (s === '0' || s === '-1') return Number(s);
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(s);
  if (!m || !(m[2] in UNITS)) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2]]);
}
