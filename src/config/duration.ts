const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "500ms", "30s", "10m", "2h", "1d" (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration; write it like 500ms, 30s, 10m, 2h or 1d`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
}

/** "1h 2m 3s" style, for the thread. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', sec && !h ? `${sec}s` : ''].filter(Boolean).join(' ');
}

/**
 * A duration measured on the cluster clock, as people read it: plain when that clock runs at real speed
 * (production); labelled when it is accelerated (the sandbox, tests) — "42m 41s cluster time, 150× real time", as the
 * step results in the thread say it — so it is never mistaken for the reader's own clock.
 */
export function clusterDuration(ms: number, speed = 1): string {
  return speed !== 1 ? `${formatDuration(ms)} cluster time, ${speed}× real time` : formatDuration(ms);
}

/** " (cluster time 1h 52m, 60× real time)" when the cluster clock is accelerated, as the job card says it; else ''. */
export function clusterTimeNote(clusterMs: number, speed: number): string {
  return speed !== 1 ? ` (cluster time ${formatDuration(clusterMs)}, ${speed}× real time)` : '';
}

/** " (cluster time, 60× real time)" after figures that are all cluster time, when that clock is accelerated; else ''. */
export function clusterClockNote(speed: number): string {
  return speed !== 1 ? ` (cluster time, ${speed}× real time)` : '';
}
