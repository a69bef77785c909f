import { clusterClockNote, formatDuration } from '../../src/config/duration';
import { chooseRestore, cloneRecoveryMs } from './choose-restore';
import { bytes, counted, n } from './format';
import type { RecoveryThrottle } from './port';
import type { Plan, RestoreVia } from './types';

/**
 * The reindex's time estimate, made once the first copy is done (issue #12). Before that nothing on the
 * cluster says how fast a `_reindex` copies here — it depends on the mappings, the documents, the nodes' load
 * and --rps — so the plan names no figure. From the first copy on:
 *   • each copy takes its documents at the rate this copy measured;
 *   • each index is rebuilt under its name by a second copy at that rate, or by a clone whose replicas
 *     recover at indices.recovery.max_bytes_per_sec (the quicker, as choose-restore.ts decides);
 *   • the steps before a copy (write block, create, start) take what they took on this index, and each
 *     index's two count verifications take countChecks rounds countInterval apart.
 * Waiting for approvals is not step work and is not estimated. All figures are cluster clock ms; the groups
 * (one per index) let the card's ETA correct the rest by each finished index (src/runner/eta.ts).
 */
export const MEASURED_BASIS = 'first copy';

export interface IndexShape {
  name: string;
  shards: number;
  replicas: number;
}

export interface EstimateInput {
  plan: Pick<Plan, 'indices' | 'restoreVia'>;
  /** The index whose copy was just timed; indices before it in the plan are done. */
  current: string;
  copied: number;
  copyMs: number;
  /** Measured work of the current index's steps before its copy. */
  beforeCopyMs: number;
  shapes: IndexShape[];
  /** --restore, when given: it beats the plan's choice. */
  forced?: RestoreVia;
  dataNodes: number;
  throttle: RecoveryThrottle | Error;
  checks: { countChecks: number; countInterval: number };
  speed: number;
}

export interface MeasuredEstimate {
  totalMs: number;
  groups: Record<string, number>;
  basis: typeof MEASURED_BASIS;
  text: string;
}

export function measuredEstimate(f: EstimateInput): MeasuredEstimate | undefined {
  if (!(f.copied > 0 && f.copyMs > 0)) return undefined;
  const perMs = f.copied / f.copyMs;
  const at = f.plan.indices.findIndex((i) => i.name === f.current);
  if (at < 0) return undefined;
  const checksMs = 2 * Math.max(0, f.checks.countChecks - 1) * f.checks.countInterval;
  const groups: Record<string, number> = {};
  const via = { clone: 0, reindex: 0, unknownRecovery: 0 };
  let laterCopyMs = 0;
  let restoreMs = 0;
  for (const index of f.plan.indices.slice(at)) {
    // An index whose settings could not be read is taken to be shaped like the one just copied.
    const like = f.shapes.find((s) => s.name === index.name) ?? f.shapes.find((s) => s.name === f.current) ?? { shards: 1, replicas: 1 };
    const copyMs = index.name === f.current ? f.copyMs : index.docs / perMs;
    if (index.name !== f.current) laterCopyMs += copyMs;
    const facts = { primaryBytes: index.bytes / (1 + like.replicas), shards: like.shards, replicas: like.replicas, dataNodes: f.dataNodes, throttle: f.throttle };
    const path = f.forced ?? (f.plan.restoreVia === 'auto' ? chooseRestore({ ...facts, copyMs }).via : f.plan.restoreVia);
    let rebuildMs = copyMs;
    if (path === 'clone') {
      const recovery = cloneRecoveryMs(facts);
      if (recovery === undefined) via.unknownRecovery++;
      rebuildMs = recovery ?? 0;
    }
    via[path]++;
    restoreMs += rebuildMs;
    groups[index.name] = f.beforeCopyMs + copyMs + rebuildMs + checksMs;
  }
  const totalMs = Object.values(groups).reduce((a, b) => a + b, 0);
  const done = f.beforeCopyMs + f.copyMs;
  const time = formatDuration;
  const clock = clusterClockNote(f.speed);
  const later = f.plan.indices.slice(at + 1);
  const laterDocs = later.reduce((s, i) => s + i.docs, 0);
  const parts = [
    later.length ? `copying ${later.length === 1 ? later[0].name : `the other ${later.length} indices`} (${counted(laterDocs, 'doc')}) at that rate: ~${time(laterCopyMs)}` : '',
    `rebuilding ${later.length ? 'each' : 'it'} under its name (${rebuildText(via, f.throttle)}): ~${time(restoreMs)}`,
    `count checks: ~${time(checksMs * (later.length + 1))}`,
  ].filter(Boolean);
  const text =
    `⏱ Estimate from this copy (${n(perMs * 1000)} docs/s): ~${time(Math.max(0, totalMs - done))} of work left, ~${time(totalMs)} in all${clock} — ${parts.join('; ')}. ` +
    `Waiting for approvals is not included; the card's ETA corrects it as each index finishes.`;
  return { totalMs, groups, basis: MEASURED_BASIS, text };
}

function rebuildText(via: { clone: number; reindex: number; unknownRecovery: number }, throttle: RecoveryThrottle | Error): string {
  const clone = throttle instanceof Error || throttle.maxBytesPerSec <= 0 ? 'a clone' : `a clone, its replicas recovering at ${bytes(throttle.maxBytesPerSec)}/s`;
  const how = !via.clone ? 'a second copy at that rate' : !via.reindex ? clone : `${via.reindex} by a second copy at that rate, ${via.clone} by ${clone}`;
  const unknown = via.unknownRecovery ? `; replica recovery not counted: indices.recovery.max_bytes_per_sec is ${throttle instanceof Error ? 'unreadable' : 'unthrottled'}` : '';
  return `${how}${unknown}`;
}
