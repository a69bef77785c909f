import { randomInt } from 'node:crypto';
import type { JobKind } from '../runner/types';

const KINDS: readonly JobKind[] = ['reindex', 'upgrade', 'alert-test', 'demo'];
const RUN_SUFFIX = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Longer than any id newJobId makes (cluster names are short config keys): a longer "id" is someone's paste. */
const MAX_JOB_ID = 120;

/** One queue per job kind, so each kind gets its own workers and concurrency. */
export function queueName(kind: JobKind): string {
  return `elk-${kind}`;
}

/**
 * Every run gets its own id, readable in a channel: `upgrade-prod-20261201-0912-a3f4` (kind, cluster, UTC
 * minute of the request in real time — callers pass Date.now(), never the cluster clock, which the sandbox
 * runs faster — and 4 random characters so two runs in one minute differ). Runs never overwrite each
 * other's history; the cluster lock and the dry-run guard, not the id, keep one job per cluster.
 */
export function newJobId(kind: JobKind, cluster: string, at: number): string {
  const iso = new Date(at).toISOString(); // 2026-12-01T09:12:…
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  const suffix = Array.from({ length: 4 }, () => RUN_SUFFIX[randomInt(RUN_SUFFIX.length)]).join('');
  return `${kind}-${cluster}-${stamp}-${suffix}`;
}

/** The kind an id belongs to (its queue), for new ids and for the `<kind>-<cluster>` ids of older releases. */
export function kindOfJobId(jobId: string): JobKind | undefined {
  return KINDS.find((k) => jobId.startsWith(`${k}-`));
}

/** Could this be one of our job ids? Checked before any Redis call, so garbage is answered without a lookup. */
export function looksLikeJobId(text: string): boolean {
  return text.length <= MAX_JOB_ID && /^[a-z0-9][a-z0-9_-]*$/.test(text) && kindOfJobId(text) !== undefined;
}
