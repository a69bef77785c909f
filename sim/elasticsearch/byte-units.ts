/** Elasticsearch's byte-size units (binary: 1kb = 1024 b), as its settings parser reads them. */
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

export function parseBytes(value: unknown): number | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb)?\s*$/i.exec(String(value ?? ''));
  if (!m) return undefined;
  return Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()];
}

/** The largest unit that divides the value exactly, as Elasticsearch prints a default. */
export function formatBytes(bytes: number): string {
  for (const unit of ['gb', 'mb', 'kb'] as const) if (bytes >= UNITS[unit] && bytes % UNITS[unit] === 0) return `${bytes / UNITS[unit]}${unit}`;
  return `${Math.round(bytes)}b`;
}
