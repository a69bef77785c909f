import type { estypes } from '@elastic/elasticsearch';
import type { SimCluster } from './cluster';
import { isActive, primaryOf, shardBytes, type IndexState, type ShardGroup } from './index-model';
import { parseBytes } from './byte-units';
import { ShardStore } from './refresh';
import { parseDuration } from './time-units';
import type { ShardCopy, SimNode } from './types';
import { allocateExplanation, compareVersions } from './versions';

type Decision = estypes.ClusterAllocationExplainAllocationDecision;

const MAX_INCOMING_RECOVERIES = 2;
const MAX_CONCURRENT_REBALANCE = 2;
/** Fixed cost of any recovery (cluster-state round trips, file listing), so empty shards are not instant. */
const RECOVERY_OVERHEAD_MS = 300;

const globMatch = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

const nodeAttr = (node: SimNode, attr: string): string | undefined =>
  attr === '_name' ? node.spec.name : attr === '_ip' || attr === '_host' ? node.spec.ip : attr === '_id' ? node.id : node.spec.attributes?.[attr];

function filterDecision(cluster: SimCluster, idx: IndexState, node: SimNode): Decision {
  const sources: Array<[string, Record<string, string>]> = [
    ['index setting [index.routing.allocation.exclude.]', prefixed(idx.settings, 'index.routing.allocation.exclude.')],
    ['cluster setting [cluster.routing.allocation.exclude]', prefixed(cluster.effectiveClusterSettings(), 'cluster.routing.allocation.exclude.')],
  ];
  for (const [label, filters] of sources) {
    for (const [attr, list] of Object.entries(filters)) {
      const value = nodeAttr(node, attr);
      if (value !== undefined && list.split(',').some((p) => p.trim() && globMatch(p.trim(), value)))
        return { decider: 'filter', decision: 'NO', explanation: `node matches ${label} filters [${attr}:"${list}"]` };
    }
  }
  return { decider: 'filter', decision: 'YES', explanation: 'node passes include/exclude/require filters' };
}

function prefixed(settings: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) if (k.startsWith(prefix) && v) out[k.slice(prefix.length)] = v;
  return out;
}

function enableDecision(cluster: SimCluster, g: ShardGroup, primary: boolean): Decision {
  const enable = cluster.effectiveClusterSettings()['cluster.routing.allocation.enable'] ?? 'all';
  const setting = `cluster setting [cluster.routing.allocation.enable=${enable}]`;
  if (enable === 'none') return { decider: 'enable', decision: 'NO', explanation: `no allocations are allowed due to ${setting}` };
  if (!primary && enable !== 'all') return { decider: 'enable', decision: 'NO', explanation: `replica allocations are forbidden due to ${setting}` };
  if (primary && enable === 'new_primaries' && g.everStarted)
    return { decider: 'enable', decision: 'NO', explanation: `non-new primary allocations are forbidden due to ${setting}` };
  return { decider: 'enable', decision: 'YES', explanation: 'all allocations are allowed' };
}

function versionDecision(cluster: SimCluster, g: ShardGroup, copy: ShardCopy, target: SimNode): Decision {
  if (copy.primary) {
    if (!copy.node || !isActive(copy)) return { decider: 'node_version', decision: 'YES', explanation: 'the primary shard is new or already existed on the node' };
    const from = cluster.nodeByName(copy.node)!.spec.version;
    const to = target.spec.version;
    return compareVersions(to, from) >= 0
      ? { decider: 'node_version', decision: 'YES', explanation: `can relocate primary shard from a node with version [${from}] to a node with equal-or-newer version [${to}]` }
      : { decider: 'node_version', decision: 'NO', explanation: `cannot relocate primary shard from a node with version [${from}] to a node with older version [${to}]` };
  }
  const primary = primaryOf(g);
  if (!isActive(primary) || !primary.node) return { decider: 'node_version', decision: 'YES', explanation: 'no active primary shard yet' };
  const pv = cluster.nodeByName(primary.node)!.spec.version;
  const tv = target.spec.version;
  return compareVersions(tv, pv) >= 0
    ? { decider: 'node_version', decision: 'YES', explanation: `can allocate replica shard to a node with version [${tv}] since this is equal-or-newer than the primary version [${pv}]` }
    : { decider: 'node_version', decision: 'NO', explanation: `cannot allocate replica shard to a node with version [${tv}] since this is older than the primary version [${pv}]` };
}

function tierDecision(idx: IndexState, node: SimNode, cluster: SimCluster): Decision {
  const pref = idx.settings['index.routing.allocation.include._tier_preference'];
  if (!pref) return { decider: 'data_tier', decision: 'YES', explanation: 'index has no tier preference' };
  const tiers = pref.split(',').map((t) => t.trim());
  const present = tiers.find((t) => cluster.dataNodes().some((n) => n.spec.roles.includes(t as never) || n.spec.roles.includes('data')));
  if (present && (node.spec.roles.includes(present as never) || node.spec.roles.includes('data')))
    return { decider: 'data_tier', decision: 'YES', explanation: `index has a preference for tiers [${pref}] and node has tier [${present}]` };
  return {
    decider: 'data_tier',
    decision: 'NO',
    explanation: `index has a preference for tiers [${pref}] and node does not meet the required [${present ?? tiers[0]}] tier`,
  };
}

const incomingRecoveries = (cluster: SimCluster, nodeName: string) => {
  let n = 0;
  for (const g of cluster.allGroups())
    for (const c of g.copies) if ((c.state === 'INITIALIZING' && c.node === nodeName && !c.primary) || c.relocatingTo === nodeName) n++;
  return n;
};

/** Every decider's verdict on putting `copy` of `g` onto `node`. */
export function decide(cluster: SimCluster, idx: IndexState, g: ShardGroup, copy: ShardCopy, node: SimNode): Decision[] {
  const out: Decision[] = [];
  const other = g.copies.find((c) => c !== copy && (c.node === node.spec.name || c.relocatingTo === node.spec.name));
  out.push(
    other
      ? {
          decider: 'same_shard',
          decision: 'NO',
          explanation: `a copy of this shard is already allocated to this node [[${idx.name}][${g.num}], node[${node.id}], [${other.primary ? 'P' : 'R'}], s[${other.state}]]`,
        }
      : { decider: 'same_shard', decision: 'YES', explanation: 'this node does not hold a copy of this shard' },
  );
  out.push(filterDecision(cluster, idx, node));
  out.push(enableDecision(cluster, g, copy.primary));
  out.push(versionDecision(cluster, g, copy, node));
  out.push(tierDecision(idx, node, cluster));
  if (!(copy.primary && !g.everStarted)) {
    const incoming = incomingRecoveries(cluster, node.spec.name);
    out.push(
      incoming >= MAX_INCOMING_RECOVERIES
        ? {
            decider: 'throttling',
            decision: 'THROTTLE',
            explanation: `reached the limit of incoming shard recoveries [${MAX_INCOMING_RECOVERIES}], cluster setting [cluster.routing.allocation.node_concurrent_incoming_recoveries=${MAX_INCOMING_RECOVERIES}] (can also be set via [cluster.routing.allocation.node_concurrent_recoveries])`,
          }
        : { decider: 'throttling', decision: 'YES', explanation: 'below shard recovery limit of incoming: [0 < 2]' },
    );
  }
  return out;
}

export const verdict = (ds: Decision[]): 'yes' | 'no' | 'throttled' =>
  ds.some((d) => d.decision === 'NO') ? 'no' : ds.some((d) => d.decision === 'THROTTLE') ? 'throttled' : 'yes';

const shardsOn = (cluster: SimCluster, nodeName: string) => {
  let n = 0;
  for (const g of cluster.allGroups()) for (const c of g.copies) if (c.node === nodeName || c.relocatingTo === nodeName) n++;
  return n;
};

function bestNode(cluster: SimCluster, idx: IndexState, g: ShardGroup, copy: ShardCopy, exclude?: string): SimNode | undefined {
  let best: SimNode | undefined;
  let bestLoad = Infinity;
  for (const node of cluster.dataNodes()) {
    if (node.spec.name === exclude) continue;
    if (verdict(decide(cluster, idx, g, copy, node)) !== 'yes') continue;
    const load = shardsOn(cluster, node.spec.name);
    if (load < bestLoad) {
      best = node;
      bestLoad = load;
    }
  }
  return best;
}

const startRecovery = (copy: ShardCopy, node: string, now: number) => {
  copy.state = 'INITIALIZING';
  copy.node = node;
  copy.recovered = 0;
  copy.minDoneAt = now + RECOVERY_OVERHEAD_MS;
};

/** One reroute: assign what can be assigned, drain excluded nodes, rebalance onto emptier nodes. */
export function reroute(cluster: SimCluster, now: number): boolean {
  let changed = false;
  for (const idx of cluster.indices.values()) {
    for (const g of idx.groups) {
      const primary = primaryOf(g);
      if (primary.state === 'UNASSIGNED' && !g.dataLost && !g.everStarted) {
        const node = bestNode(cluster, idx, g, primary);
        if (node) {
          // An empty new primary opens at once; writes to a just-created index must not fail.
          Object.assign(primary, { state: 'STARTED', node: node.spec.name, unassigned: undefined });
          g.everStarted = true;
          changed = true;
        }
      }
      if (!isActive(primary)) continue;
      for (const c of g.copies) {
        if (c.primary || c.state !== 'UNASSIGNED') continue;
        if (c.unassigned?.delayedUntil && c.unassigned.delayedUntil > now) continue;
        const node = bestNode(cluster, idx, g, c);
        if (node) {
          startRecovery(c, node.spec.name, now);
          changed = true;
        }
      }
    }
  }
  changed = drainExcluded(cluster, now) || changed;
  changed = rebalance(cluster, now) || changed;
  return changed;
}

function relocate(copy: ShardCopy, target: string, now: number) {
  copy.state = 'RELOCATING';
  copy.relocatingTo = target;
  copy.recovered = 0;
  copy.minDoneAt = now + RECOVERY_OVERHEAD_MS;
}

function drainExcluded(cluster: SimCluster, now: number): boolean {
  let changed = false;
  for (const idx of cluster.indices.values()) {
    for (const g of idx.groups) {
      for (const c of g.copies) {
        if (c.state !== 'STARTED' || !c.node) continue;
        const node = cluster.nodeByName(c.node)!;
        if (filterDecision(cluster, idx, node).decision !== 'NO') continue;
        const target = bestNode(cluster, idx, g, c, c.node);
        if (target) {
          relocate(c, target.spec.name, now);
          changed = true;
        }
      }
    }
  }
  return changed;
}

function rebalance(cluster: SimCluster, now: number): boolean {
  const settings = cluster.effectiveClusterSettings();
  if ((settings['cluster.routing.allocation.enable'] ?? 'all') !== 'all') return false;
  if ((settings['cluster.routing.rebalance.enable'] ?? 'all') === 'none') return false;
  // cluster.routing.allocation.allow_rebalance: indices_all_active (default), indices_primaries_active, always.
  const allow = settings['cluster.routing.allocation.allow_rebalance'] ?? 'indices_all_active';
  let relocating = 0;
  for (const g of cluster.allGroups()) {
    for (const c of g.copies) {
      const inactive = c.state === 'INITIALIZING' || (c.state === 'UNASSIGNED' && !g.dataLost);
      if (inactive && (allow === 'indices_all_active' || (allow === 'indices_primaries_active' && c.primary))) return false;
      if (c.state === 'RELOCATING') relocating++;
    }
  }
  if (relocating >= MAX_CONCURRENT_REBALANCE) return false;
  // A node the cluster-level exclude filter drains neither gives nor takes shards in a rebalance.
  const excluded = prefixed(settings, 'cluster.routing.allocation.exclude.');
  const drained = (n: SimNode) => Object.entries(excluded).some(([attr, list]) => {
    const value = nodeAttr(n, attr);
    return value !== undefined && list.split(',').some((p) => p.trim() && globMatch(p.trim(), value));
  });
  const nodes = cluster.dataNodes().filter((n) => !drained(n));
  if (nodes.length < 2) return false;
  const loads = nodes.map((n) => ({ n, load: shardsOn(cluster, n.spec.name) })).sort((a, b) => a.load - b.load);
  const low = loads[0];
  for (const high of [...loads].reverse()) {
    if (high.load - low.load < 2) return false;
    for (const idx of cluster.indices.values()) {
      for (const g of idx.groups) {
        for (const c of g.copies) {
          if (c.state !== 'STARTED' || c.node !== high.n.spec.name) continue;
          if (verdict(decide(cluster, idx, g, c, low.n)) !== 'yes') continue;
          relocate(c, low.n.spec.name, now);
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * indices.recovery.max_bytes_per_sec as set (transient over persistent), else the node default (the
 * `recoveryBytesPerSec` knob, which _cluster/settings?include_defaults reports). 0 or less is unthrottled.
 * Applied per recovering copy — Elasticsearch shares it among a node's concurrent recoveries, so the simulator
 * is at most node_concurrent_recoveries (2) times quicker than a real node when several land on one.
 */
export function recoveryBytesPerSec(cluster: SimCluster): number {
  const set = parseBytes(cluster.effectiveClusterSettings()['indices.recovery.max_bytes_per_sec']);
  const rate = set ?? cluster.knobs.recoveryBytesPerSec;
  return rate <= 0 ? Number.MAX_SAFE_INTEGER / 1e6 : rate;
}

/** Advances every recovery and relocation by `dtMs` of clock time. */
export function progressRecoveries(cluster: SimCluster, now: number, dtMs: number): boolean {
  let changed = false;
  const step = (recoveryBytesPerSec(cluster) * dtMs) / 1000;
  for (const idx of cluster.indices.values()) {
    for (const g of idx.groups) {
      const size = shardBytes(idx, g);
      for (const c of g.copies) {
        if (c.state !== 'INITIALIZING' && c.state !== 'RELOCATING') continue;
        c.recovered += step;
        if (c.recovered < size || now < c.minDoneAt) continue;
        if (c.state === 'RELOCATING') c.node = c.relocatingTo;
        c.relocatingTo = undefined;
        c.state = 'STARTED';
        c.unassigned = undefined;
        if (c.primary) g.everStarted = true;
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * A node died: its copies become unassigned (NODE_LEFT); a started replica is promoted where a primary was
 * lost; a shard with no surviving started copy loses its documents for good. Returns documents destroyed.
 */
export function nodeLeft(cluster: SimCluster, node: SimNode, now: number): number {
  let lost = 0;
  const name = node.spec.name;
  for (const idx of cluster.indices.values()) {
    const delay = parseDuration(idx.settings['index.unassigned.node_left.delayed_timeout'] ?? '1m');
    for (const g of idx.groups) {
      for (const c of g.copies) {
        if (c.relocatingTo === name) {
          c.relocatingTo = undefined;
          c.state = 'STARTED';
          c.recovered = 0;
        }
      }
      const details = `node_left [${node.id}]`;
      const unassign = (c: ShardCopy, delayed: boolean) => {
        c.state = 'UNASSIGNED';
        c.node = undefined;
        c.relocatingTo = undefined;
        c.recovered = 0;
        c.unassigned = { reason: 'NODE_LEFT', at: now, details, delayedUntil: delayed && delay > 0 ? now + delay : undefined };
      };
      for (const c of g.copies) {
        if (c.node !== name) continue;
        if (!c.primary) {
          unassign(c, true);
          continue;
        }
        const successor = g.copies.find((r) => !r.primary && isActive(r) && r.node !== name);
        if (successor) {
          successor.primary = true;
          c.primary = false;
          unassign(c, true);
        } else {
          lost += g.store.live.size;
          g.store = new ShardStore();
          g.dataLost = g.everStarted;
          for (const other of g.copies) if (other.node !== undefined || other === c) unassign(other, false);
        }
      }
    }
  }
  return lost;
}

const unassignedInfo = (c: ShardCopy, now: number): estypes.ClusterAllocationExplainUnassignedInformation => ({
  reason: c.unassigned?.reason ?? 'INDEX_CREATED',
  at: new Date(c.unassigned?.at ?? now).toISOString(),
  ...(c.unassigned?.details ? { details: c.unassigned.details } : {}),
  last_allocation_status: 'no_attempt',
  delayed: !!(c.unassigned?.delayedUntil && c.unassigned.delayedUntil > now),
});

/** `_cluster/allocation/explain` for one copy, worded as a node of `version` words it. */
export function explain(
  cluster: SimCluster,
  idx: IndexState,
  g: ShardGroup,
  copy: ShardCopy,
  version: string,
  includeYes: boolean,
): estypes.ClusterAllocationExplainResponse {
  const now = cluster.clock.now();
  const words = allocateExplanation;
  const base = { index: idx.name, shard: g.num, primary: copy.primary };
  const nodeDecisions = (forCopy: ShardCopy, skip?: string): estypes.ClusterAllocationExplainNodeAllocationExplanation[] =>
    cluster
      .dataNodes()
      .filter((n) => n.spec.name !== skip)
      .map((n, i) => {
        const ds = decide(cluster, idx, g, forCopy, n);
        const v = verdict(ds);
        return {
          node_id: n.id,
          node_name: n.spec.name,
          transport_address: `${n.spec.ip}:9300`,
          node_attributes: { ...(n.spec.attributes ?? {}) },
          roles: [...n.spec.roles],
          node_decision: v,
          weight_ranking: i + 1,
          ...(v !== 'yes' || includeYes ? { deciders: includeYes ? ds : ds.filter((d) => d.decision !== 'YES') } : {}),
        };
      });
  if (copy.state === 'UNASSIGNED') {
    const info = unassignedInfo(copy, now);
    if (copy.primary && g.dataLost)
      return { ...base, current_state: 'unassigned', unassigned_info: info, can_allocate: 'no_valid_shard_copy', allocate_explanation: words.noValidCopy(version) };
    const decisions = nodeDecisions(copy);
    const delayedUntil = copy.unassigned?.delayedUntil;
    if (delayedUntil && delayedUntil > now && decisions.some((d) => d.node_decision === 'yes')) {
      const configured = parseDuration(idx.settings['index.unassigned.node_left.delayed_timeout'] ?? '1m');
      return {
        ...base,
        current_state: 'unassigned',
        unassigned_info: info,
        can_allocate: 'allocation_delayed',
        allocate_explanation: words.delayed(version, delayedUntil - now),
        configured_delay_in_millis: configured,
        remaining_delay_in_millis: delayedUntil - now,
        node_allocation_decisions: decisions,
      };
    }
    const primary = primaryOf(g);
    if (!copy.primary && !isActive(primary)) {
      return {
        ...base,
        current_state: 'unassigned',
        unassigned_info: info,
        can_allocate: 'no',
        allocate_explanation: words.no(version),
        node_allocation_decisions: decisions,
      };
    }
    const can = decisions.some((d) => d.node_decision === 'yes') ? 'yes' : decisions.some((d) => d.node_decision === 'throttled') ? 'throttled' : 'no';
    return {
      ...base,
      current_state: 'unassigned',
      unassigned_info: info,
      can_allocate: can,
      allocate_explanation: can === 'yes' ? words.yes(version) : can === 'throttled' ? words.throttled(version) : words.no(version),
      node_allocation_decisions: decisions,
    };
  }
  const node = cluster.nodeByName(copy.node!)!;
  const remain = filterDecision(cluster, idx, node);
  const others = nodeDecisions(copy, node.spec.name);
  const canMove = others.some((d) => d.node_decision === 'yes');
  return {
    ...base,
    current_state: copy.state.toLowerCase(),
    current_node: {
      id: node.id,
      name: node.spec.name,
      transport_address: `${node.spec.ip}:9300`,
      attributes: { ...(node.spec.attributes ?? {}) },
      roles: [...node.spec.roles],
      weight_ranking: 1,
    },
    can_remain_on_current_node: remain.decision === 'NO' ? 'no' : 'yes',
    ...(remain.decision === 'NO'
      ? { can_remain_decisions: [remain], can_move_to_other_node: canMove ? 'yes' : 'no', move_explanation: canMove ? 'can move this shard to another node' : 'cannot move shard to another node, even though it is not allowed to remain on its current node', node_allocation_decisions: others }
      : {
          can_rebalance_cluster: 'yes',
          can_rebalance_to_other_node: 'no',
          rebalance_explanation: 'cannot rebalance as no target node exists that can both allocate this shard and improve the cluster balance',
        }),
  };
}
