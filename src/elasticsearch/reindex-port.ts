import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../clock';
import type { ClusterConfig } from '../config/schema';
import type { AliasBinding, Health, IndexFacts, ReindexPort, TaskState } from '../../jobs/reindex/port';
import { createEsClient } from './client';
import { pickTemplate } from './reindex/pick-template';
import { readRecoverySettings } from './recovery-settings';
import { isNotFound, isPollTimeout, toTaskState } from './reindex/task-state';

/** Hidden alias that marks an index as made by one reindex job; hidden so wildcard searches never see it. */
export const OWNER_ALIAS_PREFIX = 'elk-ops-reindex-by-';
const ownerAlias = (owner: string) => concrete(`${OWNER_ALIAS_PREFIX}${owner}`);

export function createReindexPort(cfg: ClusterConfig['elasticsearch'], clock: Clock): ReindexPort {
  return reindexPortFor(createEsClient(cfg), clock);
}

export function reindexPortFor(es: Client, clock: Clock): ReindexPort {
  // Clock-time waits are sent to the server as they are; the HTTP timeout must outlast them in real time.
  const longPoll = (ms: number) => ({ requestTimeout: clock.toReal(ms) + 30_000 });

  return {
    async clusterVersion() {
      return (await es.info()).version.number;
    },

    recoveryThrottle: () => readRecoverySettings(es),

    async dataNodeCount() {
      const rows = (await es.cat.nodes({ format: 'json', h: ['node.role'] })) as unknown as { 'node.role'?: string }[];
      // Role letters: d (data), h/w/c/f (data tiers), s (content) all hold shards.
      return rows.filter((r) => /[dhwcfs]/.test(r['node.role'] ?? '')).length;
    },

    async resolve(expression) {
      let rows: Record<string, string | undefined>[];
      try {
        rows = (await es.cat.indices({
          index: expression,
          expand_wildcards: 'all',
          format: 'json',
          bytes: 'b',
          h: ['health', 'status', 'index', 'docs.count', 'store.size'],
        })) as unknown as Record<string, string | undefined>[];
      } catch (e) {
        if (isNotFound(e)) return [];
        throw e;
      }
      const settings = await es.indices.getSettings({ index: expression, expand_wildcards: 'all', flat_settings: true });
      return rows.map((r): IndexFacts => {
        const name = r.index!;
        const s = (settings[name]?.settings ?? {}) as Record<string, unknown>;
        return {
          name,
          health: r.health as Health | undefined,
          status: r.status,
          docs: Number(r['docs.count'] ?? 0),
          bytes: Number(r['store.size'] ?? 0),
          shards: Number(s['index.number_of_shards'] ?? 1),
          replicas: Number(s['index.number_of_replicas'] ?? 1),
          hidden: String(s['index.hidden']) === 'true',
          // System indices are dot-prefixed by convention and by Elasticsearch's own rule for new ones.
          system: name.startsWith('.'),
        };
      });
    },

    async listNames(pattern) {
      try {
        const rows = (await es.cat.indices({ index: pattern, format: 'json', h: ['index'] })) as unknown as { index: string }[];
        return rows.map((r) => r.index);
      } catch (e) {
        if (isNotFound(e)) return [];
        throw e;
      }
    },

    async aliasesOf(index) {
      const res = await es.indices.getAlias({ index });
      const aliases = (res[index]?.aliases ?? {}) as Record<string, Record<string, unknown>>;
      const out: AliasBinding[] = [];
      for (const [alias, a] of Object.entries(aliases)) {
        if (alias.startsWith(OWNER_ALIAS_PREFIX)) continue;
        const binding: AliasBinding = {
          alias,
          isWriteIndex: a.is_write_index as boolean | undefined,
          filter: a.filter,
          indexRouting: a.index_routing as string | undefined,
          searchRouting: a.search_routing as string | undefined,
          isHidden: a.is_hidden as boolean | undefined,
        };
        if (binding.isWriteIndex === undefined) {
          // An alias over a single index without an explicit flag writes to that index.
          const members = await es.indices.getAlias({ name: alias });
          binding.soleMember = Object.keys(members).length === 1;
        }
        out.push(binding);
      }
      return out;
    },

    async settingsOf(index) {
      const res = await es.indices.getSettings({ index, flat_settings: true });
      const s = (res[index]?.settings ?? {}) as Record<string, unknown>;
      return {
        shards: Number(s['index.number_of_shards'] ?? 1),
        replicas: Number(s['index.number_of_replicas'] ?? 1),
        refreshInterval: s['index.refresh_interval'] as string | undefined,
        blocksWrite: String(s['index.blocks.write']) === 'true',
      };
    },

    async templateFor(index) {
      const sim = await es.indices.simulateIndexTemplate({ name: index });
      const all = await es.indices.getIndexTemplate();
      const name = pickTemplate(index, all.index_templates as never);
      return { name, mappings: (sim.template?.mappings ?? {}) as Record<string, unknown> };
    },

    async ownerOf(index) {
      try {
        const res = await es.indices.getAlias({ index: concrete(index) });
        const mark = Object.keys(res[index]?.aliases ?? {}).find((a) => a.startsWith(OWNER_ALIAS_PREFIX));
        return mark?.slice(OWNER_ALIAS_PREFIX.length);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async removeOwner(index, owner) {
      try {
        await es.indices.updateAliases({ actions: [{ remove: { index: concrete(index), alias: ownerAlias(owner) } }] });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },

    async exists(index) {
      return es.indices.exists({ index: concrete(index) });
    },

    async health(index) {
      try {
        const rows = (await es.cat.indices({ index: concrete(index), format: 'json', h: ['health'] })) as unknown as { health: Health }[];
        return rows[0]?.health;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async waitForGreen(index, timeoutMs) {
      const res = await es.cluster.health(
        { index: concrete(index), wait_for_status: 'green', timeout: `${Math.round(timeoutMs)}ms` },
        { ...longPoll(timeoutMs), ignore: [408] },
      );
      return res.status as Health;
    },

    async shardCopies(index) {
      let rows: Record<string, string | null | undefined>[];
      try {
        rows = (await es.cat.shards({
          index: concrete(index),
          format: 'json',
          h: ['shard', 'prirep', 'state', 'node', 'unassigned.reason'],
        })) as unknown as Record<string, string | null | undefined>[];
      } catch (e) {
        if (isNotFound(e)) return [];
        throw e;
      }
      return rows.map((r) => ({
        shard: Number(r.shard),
        primary: r.prirep === 'p',
        state: String(r.state),
        node: r.node ?? undefined,
        unassignedReason: r['unassigned.reason'] ?? undefined,
      }));
    },

    async count(index) {
      const res = await es.count({ index: concrete(index) });
      const s = res._shards;
      return {
        count: res.count,
        allShards: s.failed === 0 && s.successful === s.total,
        shards: `${s.successful}/${s.total} shards answered, ${s.failed} failed`,
      };
    },

    async refresh(index) {
      await es.indices.refresh({ index: concrete(index) });
    },

    async setWriteBlock(index, blocked) {
      await es.indices.putSettings({ index: concrete(index), settings: { 'index.blocks.write': blocked } });
    },

    async createIndex(name, spec) {
      await es.indices.create({
        index: concrete(name),
        settings: { 'index.number_of_shards': spec.shards, 'index.number_of_replicas': spec.replicas },
        mappings: spec.mappings,
        aliases: { [ownerAlias(spec.owner)]: { is_hidden: true } },
      });
    },

    async startReindex(req) {
      const res = await es.reindex({
        wait_for_completion: false,
        slices: req.slices,
        requests_per_second: req.requestsPerSecond,
        conflicts: req.proceedOnConflicts ? 'proceed' : 'abort',
        source: { index: concrete(req.source) },
        dest: { index: concrete(req.dest), version_type: 'external' },
      });
      if (!res.task) throw new Error(`Elasticsearch accepted the reindex of ${req.source} but returned no task id`);
      return String(res.task);
    },

    async findReindexTask(source, dest) {
      const res = await es.tasks.list({ actions: '*reindex', detailed: true, group_by: 'none' });
      const tasks = (Array.isArray(res.tasks) ? res.tasks : Object.values(res.tasks ?? {})) as {
        node: string;
        id: number;
        description?: string;
        parent_task_id?: string;
      }[];
      const mine = tasks.find(
        (t) => !t.parent_task_id && t.description?.includes(`[${source}]`) && t.description.includes(`to [${dest}]`),
      );
      return mine ? `${mine.node}:${mine.id}` : undefined;
    },

    async waitForTask(taskId, timeoutMs): Promise<TaskState> {
      try {
        const res = await es.tasks.get(
          { task_id: taskId, wait_for_completion: true, timeout: `${Math.round(timeoutMs)}ms` },
          longPoll(timeoutMs),
        );
        return toTaskState(res);
      } catch (e) {
        if (isNotFound(e)) return { kind: 'missing' };
        if (!isPollTimeout(e)) throw e;
      }
      try {
        return toTaskState(await es.tasks.get({ task_id: taskId }));
      } catch (e) {
        if (isNotFound(e)) return { kind: 'missing' };
        throw e;
      }
    },

    async cancelTask(taskId) {
      try {
        await es.tasks.cancel({ task_id: taskId });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },

    async cloneIndex(source, target, spec) {
      await es.indices.clone({
        index: concrete(source),
        target: concrete(target),
        settings: { 'index.number_of_replicas': spec.replicas },
        aliases: { [ownerAlias(spec.owner)]: { is_hidden: true } },
      });
    },

    async deleteIndex(name) {
      try {
        await es.indices.delete({ index: concrete(name) });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },

    async setReplicas(index, replicas) {
      await es.indices.putSettings({ index: concrete(index), settings: { 'index.number_of_replicas': replicas } });
    },

    async restoreSettings(index, s) {
      await es.indices.putSettings({
        index: concrete(index),
        settings: { 'index.number_of_replicas': s.replicas, 'index.refresh_interval': s.refreshInterval ?? null },
      });
    },

    async addAliases(index, aliases) {
      if (aliases.length === 0) return;
      await es.indices.updateAliases({
        actions: aliases.map((a) => ({
          add: {
            index: concrete(index),
            alias: a.alias,
            is_write_index: a.isWriteIndex,
            filter: a.filter as never,
            index_routing: a.indexRouting,
            search_routing: a.searchRouting,
            is_hidden: a.isHidden,
          },
        })),
      });
    },
  };
}

/** Calls that change or delete an index take one exact name: never a pattern or list that could match more. */
function concrete(name: string): string {
  if (!name || /[*?,\s]/.test(name) || name.startsWith('_') || name.startsWith('-')) {
    throw new Error(`refusing to act on "${name}": an exact index name is required here`);
  }
  return name;
}
