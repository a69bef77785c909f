/**
 * `p`'s value, or `fallback` once `ms` have passed or when `p` fails: for calls to a Redis or Slack that may never
 * answer, on a path that must end anyway. The timer does not keep the process alive.
 */
export function waitAtMost<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([p.catch(() => fallback), new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);
}
