import { bytes, took } from './format';
import type { RecoveryThrottle } from './port';
import type { RestoreVia } from './types';

export interface RestoreFacts {
  /** Clock ms the first copy (source → temporary index, replicas written as it went) took. */
  copyMs: number;
  /** The index's primary store, bytes: what each replica of a clone must copy over the network. */
  primaryBytes: number;
  shards: number;
  replicas: number;
  dataNodes: number;
  throttle: RecoveryThrottle | Error;
}

/**
 * A clone is hard links, but its replicas then recover file by file at indices.recovery.max_bytes_per_sec, a
 * per-node limit shared by the recoveries landing on that node; a second `_reindex` takes about as long as the
 * first copy did (same documents, replicas written as it goes). The clone keeps ties and near-ties: it spares
 * the cluster a second full indexing load.
 */
const CLONE_MARGIN = 1.25;

/**
 * Clock ms a clone's replicas need to recover at the throttle: each node takes its share of the replica copies,
 * one shard's bytes each, at indices.recovery.max_bytes_per_sec. 0 without replicas; undefined when the
 * throttle is unknown or lifted (then disks and network set the pace, which the cluster does not report).
 */
export function cloneRecoveryMs(f: Omit<RestoreFacts, 'copyMs'>): number | undefined {
  if (f.replicas === 0) return 0;
  if (f.throttle instanceof Error || f.throttle.maxBytesPerSec <= 0) return undefined;
  const perNode = Math.ceil((f.shards * f.replicas) / Math.max(1, f.dataNodes));
  return (perNode * (f.primaryBytes / Math.max(1, f.shards)) * 1000) / f.throttle.maxBytesPerSec;
}

export function chooseRestore(f: RestoreFacts): { via: RestoreVia; why: string } {
  if (f.replicas === 0) return { via: 'clone', why: 'no replicas to recover, so a clone is ready as soon as its primaries start' };
  if (f.throttle instanceof Error) return { via: 'clone', why: `the recovery throttle could not be read (${f.throttle.message}), so the version's default path` };
  if (f.throttle.maxBytesPerSec <= 0) return { via: 'clone', why: 'recovery is unthrottled (indices.recovery.max_bytes_per_sec ≤ 0)' };
  const copies = f.shards * f.replicas;
  const perNode = Math.ceil(copies / Math.max(1, f.dataNodes));
  const cloneMs = cloneRecoveryMs(f)!;
  const recovery = `a clone's ${copies} replica cop${copies === 1 ? 'y' : 'ies'} (${bytes(f.primaryBytes / f.shards)} each, ${perNode} per node) need ~${took(cloneMs)} to recover at ${bytes(f.throttle.maxBytesPerSec)}/s (indices.recovery.max_bytes_per_sec, ${f.throttle.throttleFrom})`;
  if (cloneMs > f.copyMs * CLONE_MARGIN) return { via: 'reindex', why: `${recovery}; the first copy took ${took(f.copyMs)}` };
  return { via: 'clone', why: `${recovery}; the first copy took ${took(f.copyMs)}` };
}
