import type { Client } from '@elastic/elasticsearch';
import type { AllocationExplanation, EsNode, EsUpgradePort, Health, HealthReport, NodeDisk, ShardCopy } from '../../jobs/upgrade/ports';

const EXCLUDE = 'cluster.routing.allocation.exclude._name';
const ENABLE = 'cluster.routing.allocation.enable';
const MAX_SHARDS = 'cluster.max_shards_per_node';

/** The upgrade job's Elasticsearch calls, on the official v8 client (which talks to 7.17 and 8.x alike). */
export class EsUpgradeAdapter implements EsUpgradePort {
  constructor(private readonly es: Client) {}

  async nodes(): Promise<EsNode[]> {
    const r = await this.es.nodes.info();
    return Object.entries(r.nodes).map(([id, n]) => ({
      id,
      name: n.name,
      ip: n.ip ?? String(n.host ?? ''),
      version: n.version,
      roles: (n.roles ?? []) as string[],
      attributes: (n.attributes ?? {}) as Record<string, string>,
    }));
  }

  async electedMaster(): Promise<string | undefined> {
    try {
      // _cat/nodes marks the elected master with '*'; works alike on 7.17 and 8.x.
      const rows = (await this.es.cat.nodes({ format: 'json', h: 'name,master' })) as unknown as Array<{ name?: string; master?: string }>;
      return rows.find((r) => r.master === '*')?.name;
    } catch (err) {
      // No elected master: ES answers 503 master_not_discovered_exception.
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 503) return undefined;
      throw err;
    }
  }

  async health(wait?: { status?: 'yellow' | 'green'; nodes?: string; noRelocating?: boolean; timeoutMs: number }): Promise<HealthReport> {
    // A long poll that times out is HTTP 408 with the health in the body: an answer, not an error.
    const r = (await this.es.cluster.health(
      wait
        ? {
            wait_for_status: wait.status,
            wait_for_nodes: wait.nodes,
            wait_for_no_relocating_shards: wait.noRelocating,
            timeout: `${Math.max(0, Math.round(wait.timeoutMs))}ms`,
          }
        : {},
      { ignore: [408] },
    )) as unknown as Record<string, unknown>;
    return {
      status: r.status as Health,
      nodes: Number(r.number_of_nodes ?? 0),
      dataNodes: Number(r.number_of_data_nodes ?? 0),
      initializing: Number(r.initializing_shards ?? 0),
      relocating: Number(r.relocating_shards ?? 0),
      unassigned: Number(r.unassigned_shards ?? 0),
      timedOut: r.timed_out === true,
    };
  }

  async shards(): Promise<ShardCopy[]> {
    const rows = (await this.es.cat.shards({ format: 'json', bytes: 'b', h: 'index,shard,prirep,state,node,store,unassigned.reason' })) as unknown as Array<Record<string, string | null>>;
    return rows.map((r) => ({
      index: String(r.index),
      shard: Number(r.shard),
      primary: r.prirep === 'p',
      state: String(r.state),
      // A relocating copy reads "from-node -> 10.0.0.7 id to-node"; it is still on the node it leaves.
      node: r.node ? String(r.node).split(' -> ')[0].trim() : undefined,
      bytes: Number(r.store ?? 0) || 0,
      unassignedReason: r['unassigned.reason'] ?? undefined,
    }));
  }

  async explain(s: { index: string; shard: number; primary: boolean }): Promise<AllocationExplanation> {
    const r = (await this.es.cluster.allocationExplain({ index: s.index, shard: s.shard, primary: s.primary })) as unknown as {
      unassigned_info?: { reason?: string };
      allocate_explanation?: string;
      explanation?: string;
      node_allocation_decisions?: Array<{ node_name: string; deciders?: Array<{ decider: string; decision: string; explanation: string }> }>;
    };
    return {
      ...s,
      reason: r.unassigned_info?.reason,
      summary: r.allocate_explanation ?? r.explanation,
      noDecisions: (r.node_allocation_decisions ?? []).map((d) => ({ node: d.node_name, deciders: (d.deciders ?? []).filter((x) => x.decision === 'NO') })),
    };
  }

  async disks(): Promise<NodeDisk[]> {
    const r = (await this.es.nodes.stats({ filter_path: 'nodes.*.name,nodes.*.fs.total' })) as unknown as {
      nodes?: Record<string, { name: string; fs?: { total?: { total_in_bytes?: number; available_in_bytes?: number } } }>;
    };
    return Object.values(r.nodes ?? {}).map((n) => ({ node: n.name, availBytes: n.fs?.total?.available_in_bytes, totalBytes: n.fs?.total?.total_in_bytes }));
  }

  async allocationSettings() {
    const r = await this.es.cluster.getSettings({ flat_settings: true });
    const p = (r.persistent ?? {}) as Record<string, unknown>;
    const t = (r.transient ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
    return {
      excludeName: str(p[EXCLUDE]),
      enable: str(p[ENABLE]),
      maxShardsPerNode: Number(t[MAX_SHARDS] ?? p[MAX_SHARDS] ?? 1000),
    };
  }

  async setAllocation(patch: { excludeName?: string | null; enable?: string | null }): Promise<void> {
    const persistent: Record<string, string | null> = {};
    if ('excludeName' in patch) persistent[EXCLUDE] = patch.excludeName ?? null;
    if ('enable' in patch) persistent[ENABLE] = patch.enable ?? null;
    await this.es.cluster.putSettings({ persistent });
  }

  async flush(): Promise<void> {
    await this.es.indices.flush();
  }

  async votingExclusions(): Promise<string[]> {
    const r = (await this.es.cluster.state({ metric: 'metadata', filter_path: 'metadata.cluster_coordination.voting_config_exclusions' })) as unknown as {
      metadata?: { cluster_coordination?: { voting_config_exclusions?: Array<{ node_name: string }> } };
    };
    return (r.metadata?.cluster_coordination?.voting_config_exclusions ?? []).map((e) => e.node_name);
  }

  async addVotingExclusion(nodeName: string): Promise<void> {
    await this.es.cluster.postVotingConfigExclusions({ node_names: nodeName });
  }

  async clearVotingExclusions(): Promise<void> {
    // The excluded node has left (or never will, on cancel): waiting for its removal would hang.
    await this.es.cluster.deleteVotingConfigExclusions({ wait_for_removal: false });
  }
}
