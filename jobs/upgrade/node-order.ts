import type { NodeOrder } from './args';

export type NodeKind = 'data' | 'other' | 'master';

/** Data tiers that must go before the ones after them: a newer hot node can send shards down to an older cold node, not the other way round. */
const TIER_RANK: Array<[string, number]> = [
  ['data_frozen', 0],
  ['data_cold', 1],
  ['data_warm', 2],
  ['data_hot', 3],
];

export function kindOf(roles: string[]): NodeKind {
  if (roles.includes('master')) return 'master';
  if (roles.some((r) => r === 'data' || r.startsWith('data_'))) return 'data';
  return 'other';
}

/** The role shown in the plan: "master", "data_hot", "data", "ingest" … */
export function roleLabel(roles: string[]): string {
  const kind = kindOf(roles);
  if (kind === 'master') return roles.some((r) => r === 'data' || r.startsWith('data_')) ? 'master+data' : 'master';
  if (kind === 'data') return TIER_RANK.find(([t]) => roles.includes(t))?.[0] ?? 'data';
  return roles.filter((r) => r !== 'remote_cluster_client').join('+') || 'coordinating';
}

function rank(roles: string[], order: NodeOrder): number {
  const kind = kindOf(roles);
  const tier = TIER_RANK.find(([t]) => roles.includes(t))?.[1] ?? 4;
  const base = kind === 'data' ? tier : kind === 'other' ? 5 : 6;
  return order === 'masters-first' && kind === 'master' ? -1 : base;
}

/**
 * Elastic's documented rolling-upgrade order: data nodes tier by tier (frozen, cold, warm, hot, then plain
 * data), other non-master nodes next, master-eligible nodes last — the elected master last of all, so the
 * cluster holds one election fewer.
 */
export function orderNodes<T extends { name: string; roles: string[] }>(nodes: T[], order: NodeOrder, electedMaster?: string): T[] {
  return [...nodes].sort((a, b) => {
    const d = rank(a.roles, order) - rank(b.roles, order);
    if (d) return d;
    const e = Number(a.name === electedMaster) - Number(b.name === electedMaster);
    return e || a.name.localeCompare(b.name, 'en', { numeric: true });
  });
}

export function orderReason(order: NodeOrder): string {
  return order === 'data-first'
    ? "Order: data nodes first (frozen → cold → warm → hot → plain data), other nodes next, master-eligible nodes last — Elastic's documented order: an older node cannot always join a cluster whose master is newer, so the masters move last (the elected master last of all)."
    : 'Order: master-eligible nodes first (`masters-first` was asked for), then data nodes by tier. Careful: once a newer master is elected, older nodes that restart may be unable to join.';
}
