import type { Client } from '@elastic/elasticsearch';
import type { AllocationExplanation, EsNode, EsUpgradePort, Health, HealthReport, NodeDisk, RecoverySettings, ShardCopy, VotingExclusions } from '../../jobs/upgrade/ports';
import type { Clock } from '../clock';
import { longPollTimeout } from './long-poll-timeout';
import { parseVotingExclusions } from './voting-exclusions';
import { readRecoverySettings } from './recovery-settings';

const EXCLUDE = 'cluster.routing.allocation.exclude._name';
const ENABLE = 'cluster.routing.allocation.enable';
const MAX_SHARDS = 'cluster.max_shards_per_node';

/** The upgrade job's Elasticsearch calls, on the official v8 client (which talks to 7.17 and 8.x alike). */
export class EsUpgradeAdapter implements EsUpgradePort {
  /** `clock` converts the job's clock-time waits into the real time the HTTP request must outlast (tests run it faster). */
  constructor(
    private readonly es: Client,
    private readonly clock?: Pick<Clock, 'toReal'>,
  ) {}

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
    const poll = wait ? longPollTimeout(wait.timeoutMs, this.clock) : undefined;
    // A long poll that times out is HTTP 408 with the health in the body: an answer, not an error.
    const r = (await this.es.cluster.health(
      wait
        ? {
            wait_for_status: wait.status,
            wait_for_nodes: wait.nodes,
            wait_for_no_relocating_shards: wait.noRelocating,
            timeout: poll!.timeout,
          }
        : {},
      { ignore: [408], ...(poll ? { requestTimeout: poll.requestTimeoutMs } : {}) },
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
    return rows.map((r) => {
      // A relocating copy reads "from-node -> 10.0.0.7 id to-node"; it is still on the node it leaves.
      const [from, to] = r.node ? String(r.node).split(' -> ') : [];
      return {
        index: String(r.index),
        shard: Number(r.shard),
        primary: r.prirep === 'p',
        state: String(r.state),
        node: from?.trim() || undefined,
        relocatingTo: to?.trim().split(/\s+/).slice(2).join(' ') || undefined,
        bytes: Number(r.store ?? 0) || 0,
        unassignedReason: r['unassigned.reason'] ?? undefined,
      };
    });
  }

  async explain(s: { index: string; shard: number; primary: boolean }): Promise<AllocationExplanation> {
    const r = (await this.es.cluster.allocationExplain({ index: s.index, shard: s.shard, primary: s.primary })) as unknown as {
      unassigned_info?: { reason?: string };
      can_allocate?: string;
      allocate_explanation?: string;
      explanation?: string;
      node_allocation_decisions?: Array<{ node_name: string; deciders?: Array<{ decider: string; decision: string; explanation: string }> }>;
    };
    return {
      ...s,
      reason: r.unassigned_info?.reason,
      canAllocate: r.can_allocate,
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

  async recoverySettings(): Promise<RecoverySettings> {
    return readRecoverySettings(this.es);
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

  async votingExclusions(): Promise<VotingExclusions> {
    // Elastic documents this part of the cluster state as internal: read it defensively, and once more by a
    // wildcard path before saying "unknown" (a caller blocks on unknown, it never guesses "none").
    const read = async (filter_path: string) => {
      try {
        return { body: (await this.es.cluster.state({ metric: 'metadata', filter_path })) as unknown };
      } catch (err) {
        const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
        if (status === 400 || status === 403 || status === 404) return { error: `GET _cluster/state/metadata answered HTTP ${status}: ${(err as Error).message}` };
        throw err;
      }
    };
    const first = await read('metadata.cluster_coordination');
    const parsed = 'body' in first ? parseVotingExclusions(first.body, 'exact') : { known: false as const, why: first.error! };
    if (parsed.known) return parsed;
    const second = await read('**.voting_config_exclusions');
    if ('error' in second) return parsed;
    const fallback = parseVotingExclusions(second.body, 'anywhere');
    return fallback.known ? fallback : { known: false, why: `${parsed.why}; ${fallback.why}` };
  }

  async addVotingExclusion(nodeName: string): Promise<void> {
    await this.es.cluster.postVotingConfigExclusions({ node_names: nodeName });
  }

  async clearVotingExclusions(): Promise<void> {
    // The excluded node has left (or never will, on cancel): waiting for its removal would hang.
    await this.es.cluster.deleteVotingConfigExclusions({ wait_for_removal: false });
  }
}
