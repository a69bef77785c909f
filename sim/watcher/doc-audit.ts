import type { Client } from '@elastic/elasticsearch';
import { describeError } from './es-probe';

export interface IndexAudit {
  index: string;
  expected: number;
  /** The highest count a fully successful `_count` returned; undefined when none did. */
  counted?: number;
  missing: number;
  /** More than expected: writes whose acknowledgement was lost, or a count that double-counted. */
  extra: number;
  /** Why no full count was had (shards unavailable, index gone …). */
  problem?: string;
}

export interface AuditOptions {
  /** Counts per index before giving up on reaching `expected` (stale replicas answer every other read). */
  attempts?: number;
  /** Real ms between attempts. */
  pauseMs?: number;
}

/**
 * `_refresh` then `_count`, per index, against what must be there. A count below the expectation is retried:
 * through a load balancer some reads land on a lagging copy, so the best full count is the one that counts.
 * Only a count that stays short after every attempt is reported as missing documents.
 */
export async function auditIndex(es: Client, index: string, expected: number, o: AuditOptions = {}): Promise<IndexAudit> {
  const attempts = o.attempts ?? 8;
  let best: number | undefined;
  let problem: string | undefined;
  for (let i = 0; i < attempts; i++) {
    try {
      await es.indices.refresh({ index });
      const r = await es.count({ index });
      if (r._shards.failed > 0) problem = `${r._shards.failed} of ${r._shards.total} shards did not answer the count`;
      else {
        best = Math.max(best ?? 0, r.count);
        problem = undefined;
      }
    } catch (e) {
      problem = describeError(e);
    }
    if (best !== undefined && best >= expected) break;
    await new Promise((r) => setTimeout(r, o.pauseMs ?? 100));
  }
  const counted = best;
  return {
    index,
    expected,
    counted,
    missing: Math.max(0, expected - (counted ?? 0)),
    extra: Math.max(0, (counted ?? 0) - expected),
    ...(counted === undefined || (counted < expected && problem) ? { problem: problem ?? 'no count' } : {}),
  };
}

/** Every open, non-hidden index matching `pattern` and its document count now: the baseline of seeded data. */
export async function countAll(es: Client, pattern = '*'): Promise<Record<string, number>> {
  await es.indices.refresh({ index: pattern, expand_wildcards: 'open' });
  const rows = (await es.cat.indices({ index: pattern, format: 'json', h: 'index', expand_wildcards: 'open' })) as Array<{ index?: string }>;
  const out: Record<string, number> = {};
  for (const { index } of rows) {
    if (!index) continue;
    // The best of three reads: one may land on a copy that has not caught up with the refresh yet.
    let best = 0;
    for (let i = 0; i < 3; i++) best = Math.max(best, (await es.count({ index })).count);
    out[index] = best;
  }
  return out;
}
