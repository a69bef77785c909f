import { formatDuration } from '../../src/config/duration';
import type { NodeKind } from './node-order';
import type { RecoverySettings, UpgradeSettings } from './ports';

/**
 * The plan's time estimate, from the cluster's own recovery figures (issue #12: the config's guesses said
 * 45 min for 1 h 50 m). A data node's bytes move twice: off it during the drain, and back onto its
 * replacement once allocation is restored. indices.recovery.max_bytes_per_sec limits each node's recovery
 * traffic in total, so concurrent recoveries share it rather than multiply it: concurrency is shown, never
 * used as a speed-up. Every node waits for a replacement to boot and join; the config's figure stands for
 * that until a node has been seen, after which the card's ETA (src/runner/eta.ts) scales the remaining
 * nodes by how long the replaced ones really took.
 */
export interface EstimateBasis {
  bytesPerSec: number;
  /** Shown only: see above. */
  concurrentRecoveries?: number;
  /** How the throughput was found, for the plan text. */
  throughputFrom: string;
  bootMs: number;
}

export function basisFrom(recovery: RecoverySettings | Error, s: Pick<UpgradeSettings, 'bootEstimate' | 'recoveryMbPerSec'>): EstimateBasis {
  const config = s.recoveryMbPerSec * 1024 ** 2;
  const bootMs = s.bootEstimate;
  if (recovery instanceof Error) return { bytesPerSec: config, bootMs, throughputFrom: `config: the cluster's recovery settings could not be read (${recovery.message})` };
  const base = { concurrentRecoveries: recovery.concurrentRecoveries, bootMs };
  // 0 or -1 lifts the throttle: then disks and network set the pace, which the cluster does not report.
  if (recovery.maxBytesPerSec <= 0) return { ...base, bytesPerSec: config, throughputFrom: 'config: indices.recovery.max_bytes_per_sec is unthrottled' };
  return { ...base, bytesPerSec: recovery.maxBytesPerSec, throughputFrom: `indices.recovery.max_bytes_per_sec, ${recovery.throttleFrom}` };
}

export function nodeEstimateMs(kind: NodeKind, bytes: number, b: EstimateBasis): number {
  const copyMs = (bytes / b.bytesPerSec) * 1000;
  return b.bootMs + (kind === 'data' ? 2 * copyMs : 0);
}

/** "~12.0 GB to move at 40 MB/s (…), boot ~5m per node (config, until one is seen)". */
export function describeBasis(dataBytes: number, b: EstimateBasis): string {
  const mb = b.bytesPerSec / 1024 ** 2;
  const rate = `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB/s`;
  const shared = b.concurrentRecoveries ? `; a per-node limit shared by ${b.concurrentRecoveries} concurrent recoveries` : '';
  return `~${(dataBytes / 1024 ** 3).toFixed(1)} GB to move twice (drain, then onto the replacement) at ${rate} (${b.throughputFrom}${shared}), boot ~${formatDuration(b.bootMs)} per node (config, until one is seen)`;
}
