import { formatDuration } from '../../src/config/duration';

export const n = (v: number) => Math.round(v).toLocaleString('en-US');

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
