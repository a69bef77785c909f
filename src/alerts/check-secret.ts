import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a presented secret with the configured one. Both are hashed first so the
 * comparison takes the same time whatever the lengths (timingSafeEqual itself throws on unequal lengths,
 * which would leak the length).
 */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  const a = createHash('sha256').update(presented ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented !== undefined;
}
