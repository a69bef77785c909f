import type { OwnSettings } from './own-settings';
import { describeOwn } from './own-settings';
import type { AllocationSettings, EsUpgradePort, ShardCopy } from './ports';

export interface UnassignedVerdict {
  unassigned: number;
  /** Replicas held back only by node_version, same_shard, or the job's own enable/exclude settings (at most `limit` named). */
  expected: string[];
  /** Replicas about to be allocated: throttled behind other recoveries, or delayed after a node left. */
  pending: string[];
  /** One line per shard unassigned for any other reason (at most `limit`): these block. */
  others: string[];
  /** Replicas held back by node_version only, the normal mixed-version case (at most `limit` named). */
  versionHeld: string[];
  /** Some unassigned replica is held back (also) by a setting this job made. */
  ownInvolved: boolean;
  /** Every unassigned shard is a replica held back by node_version / same_shard only, nothing pending: normal mid-upgrade. */
  onlyVersionReplicas: boolean;
}

/** can_allocate values of a replica that will be assigned without anyone doing anything. */
const PENDING = new Set(['yes', 'throttled', 'allocation_delayed']);

/**
 * Why are the unassigned shards unassigned? During a rolling upgrade a replica whose primary sits on a newer
 * node cannot go to an older one (`node_version` decider): that is normal. So is a replica the job's own
 * settings hold back — `enable=primaries` during a restart-style drain (a new hourly index's replica), or the
 * exclusion of the node being drained. Anything else — a primary, a disk watermark, an operator's setting —
 * is not, and is named, saying when the job's own settings are involved too.
 */
export async function classifyUnassigned(es: EsUpgradePort, opts: { own?: OwnSettings; limit?: number } = {}): Promise<UnassignedVerdict> {
  const limit = opts.limit ?? 10;
  const unassigned = (await es.shards()).filter((s) => s.state === 'UNASSIGNED');
  const v: UnassignedVerdict = { unassigned: unassigned.length, expected: [], pending: [], others: [], versionHeld: [], ownInvolved: false, onlyVersionReplicas: false };
  if (!unassigned.length) return v;
  const live = opts.own && (opts.own.enable || opts.own.excluded.length) ? await es.allocationSettings() : undefined;
  const push = (list: string[], line: string) => void (list.length < limit && list.push(line));
  let blocking = 0;
  let expectedCount = 0;
  for (const s of unassigned) {
    if (blocking >= limit) break;
    if (s.primary) {
      blocking++;
      push(v.others, `${label(s)} primary unassigned${s.unassignedReason ? ` (${s.unassignedReason})` : ''}`);
      continue;
    }
    const x = await es.explain({ index: s.index, shard: s.shard, primary: false });
    const blockers = new Set<string>();
    let own = false;
    let version = false;
    let anyNo = false;
    for (const n of x.noDecisions) {
      for (const d of n.deciders) {
        if (d.decision !== 'NO') continue;
        anyNo = true;
        if (d.decider === 'node_version') version = true;
        else if (d.decider === 'same_shard') continue;
        else if (isOwn(d.decider, d.explanation, n.node, opts.own, live)) own = true;
        else blockers.add(`${d.decider} on ${n.node}: ${d.explanation}`);
      }
    }
    v.ownInvolved ||= own;
    if (blockers.size === 0 && x.canAllocate && PENDING.has(x.canAllocate)) {
      push(v.pending, `${label(s)} (${x.canAllocate.replace('_', ' ')})`);
    } else if (blockers.size === 0 && anyNo) {
      expectedCount++;
      push(v.expected, label(s));
      if (version && !own) push(v.versionHeld, label(s));
    } else {
      blocking++;
      const why = blockers.size ? [...blockers].slice(0, 2).join('; ') : x.summary ?? 'no decider says NO: it may still be waiting to be allocated';
      const ours = own && opts.own ? ` — also held back by this job's own ${describeOwn(opts.own)}` : '';
      push(v.others, `${label(s)} replica unassigned${x.reason ? ` (${x.reason})` : ''}: ${why}${ours}`);
    }
  }
  v.onlyVersionReplicas = blocking === 0 && v.pending.length === 0 && expectedCount === unassigned.length && !v.ownInvolved;
  return v;
}

/** A NO that only this job's own, still-in-place setting causes. */
function isOwn(decider: string, explanation: string, node: string, own: OwnSettings | undefined, live: AllocationSettings | undefined): boolean {
  if (!own || !live) return false;
  if (decider === 'enable') return !!own.enable && live.enable === own.enable.value;
  // Only the cluster-level exclusion is ours; an index-level filter is the index owner's.
  if (decider === 'filter') return own.excluded.includes(node) && /cluster setting|cluster\.routing\.allocation\.exclude/.test(explanation) && (live.excludeName ?? '').split(',').map((x) => x.trim()).includes(node);
  return false;
}

export function label(s: Pick<ShardCopy, 'index' | 'shard'>): string {
  return `${s.index}[${s.shard}]`;
}
