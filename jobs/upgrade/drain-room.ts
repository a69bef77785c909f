import type { PlannedNode } from './plan';
import type { EsNode, NodeDisk, ShardCopy } from './ports';
import { label } from './unassigned';
import { plural } from '../../src/slack/blocks/text';

/** Disk the cluster keeps free before it stops allocating (the default high watermark is 90 %). */
const HIGH_WATERMARK = 0.9;

export interface Room {
  ok: boolean;
  /** Why the remaining data nodes cannot take the node's shards, with figures. */
  reason?: string;
}

/**
 * Can the other data nodes hold this node's shards? Every shard needs a node without a copy of it, the bytes
 * must fit under the high watermark, and the cluster must stay under max_shards_per_node (or new indices,
 * like the next hourly one, cannot be created).
 */
export function roomToDrain(node: PlannedNode, nodes: EsNode[], shards: ShardCopy[], disks: NodeDisk[], maxShardsPerNode: number, excluded: string[]): Room {
  const isData = (n: EsNode) => n.roles.some((r) => r === 'data' || r.startsWith('data_'));
  const tiers = node.roles.filter((r) => r === 'data' || r.startsWith('data_'));
  const sharesTier = (n: EsNode) => node.roles.includes('data') || n.roles.includes('data') || n.roles.some((r) => tiers.includes(r));
  const remaining = nodes.filter((n) => n.name !== node.name && isData(n) && sharesTier(n) && !excluded.includes(n.name));
  const mine = shards.filter((s) => s.node === node.name);
  if (mine.length === 0) return { ok: true };
  if (remaining.length === 0) return { ok: false, reason: `no other data node of its tier to move ${plural(mine.length, 'shard')} to` };
  const cannot = mine.filter((s) => shards.filter((x) => label(x) === label(s) && x.node && x.node !== node.name).length >= remaining.length);
  if (cannot.length) {
    return { ok: false, reason: `${cannot.length === 1 ? '1 shard already has' : `${cannot.length} shards already have`} a copy on every other data node (e.g. ${label(cannot[0])}), so ${cannot.length === 1 ? 'it has' : 'they have'} nowhere to go` };
  }
  const bytes = mine.reduce((s, x) => s + x.bytes, 0);
  const free = remaining.reduce((s, n) => {
    const d = disks.find((x) => x.node === n.name);
    // A node whose disk is not reported is assumed to have room: the drain's stuck detection still catches a full one.
    if (d?.availBytes === undefined || d.totalBytes === undefined) return s + Number.POSITIVE_INFINITY;
    return s + Math.max(0, d.availBytes - (1 - HIGH_WATERMARK) * d.totalBytes);
  }, 0);
  if (bytes > free) return { ok: false, reason: `its shards need ${gb(bytes)}, the other data nodes have ${gb(free)} free below the high watermark` };
  const total = shards.filter((s) => s.node).length;
  const dataNodes = nodes.filter(isData).length - 1;
  if (total > maxShardsPerNode * dataNodes) {
    return { ok: false, reason: `${total} shards on ${dataNodes} data nodes would exceed cluster.max_shards_per_node=${maxShardsPerNode}` };
  }
  return { ok: true };
}

function gb(b: number): string {
  return `${(b / 1024 ** 3).toFixed(1)} GB`;
}
