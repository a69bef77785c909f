import type { EsUpgradePort, ShardCopy } from './ports';

export interface UnassignedVerdict {
  /** Every unassigned shard is a replica that only the node_version decider keeps off the older nodes. */
  onlyVersionReplicas: boolean;
  unassigned: number;
  /** One line per shard that is unassigned for another reason (at most `limit`). */
  others: string[];
  /** Replicas held back by node_version only (at most `limit` named). */
  versionHeld: string[];
}

/** Deciders that say NO in a healthy mixed-version cluster: the copy's own node, and nodes this job excluded. */
const HARMLESS = new Set(['same_shard']);

/**
 * Why are the unassigned shards unassigned? During a rolling upgrade a replica whose primary sits on a newer
 * node cannot go to an older one (`node_version` decider): that is normal. Anything else — a primary, a
 * disk watermark, a failed allocation — is not.
 */
export async function classifyUnassigned(es: EsUpgradePort, opts: { excludedNodes?: string[]; limit?: number } = {}): Promise<UnassignedVerdict> {
  const limit = opts.limit ?? 10;
  const unassigned = (await es.shards()).filter((s) => s.state === 'UNASSIGNED');
  const others: string[] = [];
  const versionHeld: string[] = [];
  for (const s of unassigned) {
    if (others.length >= limit) break;
    if (s.primary) {
      others.push(`${label(s)} primary unassigned${s.unassignedReason ? ` (${s.unassignedReason})` : ''}`);
      continue;
    }
    const x = await es.explain({ index: s.index, shard: s.shard, primary: false });
    let versionSaysNo = false;
    const blockers = new Set<string>();
    for (const n of x.noDecisions) {
      for (const d of n.deciders) {
        if (d.decision !== 'NO') continue;
        if (d.decider === 'node_version') versionSaysNo = true;
        else if (HARMLESS.has(d.decider) || (d.decider === 'filter' && opts.excludedNodes?.includes(n.node))) continue;
        else blockers.add(`${d.decider} on ${n.node}: ${d.explanation}`);
      }
    }
    if (versionSaysNo && blockers.size === 0) {
      if (versionHeld.length < limit) versionHeld.push(label(s));
    } else {
      const why = blockers.size ? [...blockers].slice(0, 2).join('; ') : x.summary ?? 'no decider says NO: it may still be waiting to be allocated';
      others.push(`${label(s)} replica unassigned${x.reason ? ` (${x.reason})` : ''}: ${why}`);
    }
  }
  return { onlyVersionReplicas: unassigned.length > 0 && others.length === 0, unassigned: unassigned.length, others, versionHeld };
}

export function label(s: Pick<ShardCopy, 'index' | 'shard'>): string {
  return `${s.index}[${s.shard}]`;
}
