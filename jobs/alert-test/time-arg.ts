/** `--from` / `--to` values: ISO 8601 (`2024-01-01T10:00:00Z`), `now`, or `now-<n><m|h|d>`. Pure. */
const REL = /^now(?:-(\d+)(m|h|d))?$/;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const UNIT = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Undefined when the text is a time this accepts, else what is wrong with it. */
export function checkTime(text: string): string | undefined {
  if (REL.test(text)) return undefined;
  if (ISO.test(text) && Number.isFinite(Date.parse(text))) return undefined;
  return 'write an ISO time like 2024-01-01T10:00:00Z, or now / now-6h / now-2d';
}

export function resolveTime(text: string, now: number): number {
  const m = REL.exec(text);
  if (m) return now - (m[1] ? Number(m[1]) * UNIT[m[2] as keyof typeof UNIT] : 0);
  // A date or time without a zone is UTC here, as everything the bot prints is.
  const t = Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes('T') && !text.includes(' ') ? text : `${text}Z`);
  if (!Number.isFinite(t)) throw new Error(`cannot read time "${text}": ${checkTime(text)}`);
  return t;
}
