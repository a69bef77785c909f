import { formatDuration } from '../../src/config/duration';

export const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** "1 doc", "6,500 docs": a count with thousands separators and the noun in the right number. */
export const counted = (v: number, one: string, many = `${one}s`) => `${n(v)} ${Math.round(v) === 1 ? one : many}`;

export function bytes(b: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${b.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export const took = formatDuration;
