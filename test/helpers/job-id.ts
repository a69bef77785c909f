/** The job id a bot reply names (`reindex-prod-20261201-0912-a3f4`, or an older release's `reindex-prod`). */
export function jobIdIn(reply: string): string {
  const m = /\b((?:reindex|upgrade|demo|alert-test)-[a-z0-9][a-z0-9_-]*[a-z0-9])\b/.exec(reply);
  if (!m) throw new Error(`no job id in the reply: ${reply}`);
  return m[1];
}
