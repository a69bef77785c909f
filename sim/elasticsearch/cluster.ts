import type { estypes } from '@elastic/elasticsearch';
import type { Clock } from '../../src/clock';
import type { ClusterControl, SimNodeRole, SimNodeSpec } from '../cluster-control';
import { nodeLeft, progressRecoveries, reroute } from './allocation';
import { EsError, indexNotFound, masterNotDiscovered, readOnlyBlocked, writeBlocked } from './errors';
import { randomId } from './ids';
import { inferMappings, isActive, isHidden, primaryOf, shardFor, type IndexState, type ShardGroup } from './index-model';
import { Notifier } from './notifier';
import { ShardStore, type DocView } from './refresh';
import { ReindexTasks } from './reindex-tasks';
import { flatten, normalizeIndexSettings, type FlatSettings } from './settings';
import { startTimeSeries, type TimeSeriesHandle, type TimeSeriesOptions } from './time-series';
import { parseDuration } from './time-units';
import type { EsKnobs, HealthStatus, IndexTemplate, Observations, ShardCopy, SimNode, StoredDoc } from './types';
import { majorOf } from './versions';

export interface SeedIndexOptions {
  shards: number;
  replicas: number;
  docs?: number | Array<Record<string, unknown>>;
  bytesPerDoc?: number;
  settings?: Record<string, unknown>;
}

export interface WriteResult {
  index: string;
  id: string;
  version: number;
  seqNo: number;
  result: 'created' | 'updated' | 'deleted' | 'not_found';
  shards: { total: number; successful: number; failed: number };
}

export interface NodeListing {
  name: string;
  id: string;
  ip: string;
  version: string;
  roles: SimNodeRole[];
  joined: boolean;
  isMaster: boolean;
}

const DEFAULT_BYTES_PER_DOC = 512;
const isMasterEligible = (n: SimNode) => n.spec.roles.includes('master');
const isDataNode = (n: SimNode) => n.spec.roles.some((r) => r.startsWith('data'));
const roundDownToOdd = (n: number) => (n % 2 === 0 ? n - 1 : n);

/**
 * The whole simulated cluster: nodes, master election, the routing table and the documents. Time advances
 * on the clock through a tick loop; every state change wakes long polls through `notifier`.
 */
export class SimCluster implements ClusterControl {
  readonly uuid = randomId();
  readonly notifier: Notifier;
  readonly nodeMap = new Map<string, SimNode>();
  readonly indices = new Map<string, IndexState>();
  readonly templates = new Map<string, IndexTemplate>();
  readonly persistentSettings: FlatSettings = {};
  readonly transientSettings: FlatSettings = {};
  readonly votingConfig = new Set<string>();
  readonly exclusions: Array<{ node_id: string; node_name: string }> = [];
  readonly observations: Observations = { everRed: false, maxNodesOut: 0, nodesOutNow: 0, lostDocs: 0 };
  readonly tasks: ReindexTasks;
  private masterName?: string;
  private electionDueAt?: number;
  private lastTick: number;
  private timer?: NodeJS.Timeout;
  private timeSeries = new Set<TimeSeriesHandle>();

  constructor(
    readonly clock: Clock,
    readonly clusterName: string,
    readonly knobs: EsKnobs,
  ) {
    this.notifier = new Notifier(clock);
    this.tasks = new ReindexTasks(this);
    this.lastTick = clock.now();
    for (const name of ['.tasks', '.kibana_1', '.security-7']) {
      this.createIndexInternal(name, { settings: { 'index.hidden': 'true', 'index.number_of_replicas': '0', 'index.auto_expand_replicas': '0-1' } });
    }
  }

  /** Starts the tick loop; its real period shrinks with clock speed so recoveries land close to on time. */
  start(): void {
    const realMs = Math.min(50, Math.max(2, this.clock.toReal(250)));
    this.timer = setInterval(() => this.tick(), realMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const ts of this.timeSeries) ts.stop();
    this.tasks.stopAll();
  }

  // ---- ClusterControl ----

  startNode(spec: SimNodeSpec): void {
    if (this.nodeMap.has(spec.name)) throw new Error(`node ${spec.name} is already running`);
    this.nodeMap.set(spec.name, { spec, id: randomId(), state: 'starting', startedAt: this.clock.now() });
  }

  stopNode(name: string): void {
    const node = this.nodeMap.get(name);
    if (!node) return;
    this.nodeMap.delete(name);
    if (node.state !== 'joined') return;
    const now = this.clock.now();
    this.observations.nodesOutNow++;
    this.observations.maxNodesOut = Math.max(this.observations.maxNodesOut, this.observations.nodesOutNow);
    this.observations.lostDocs += nodeLeft(this, node, now);
    this.tasks.nodeLeft(node);
    if (this.masterName === name) {
      this.masterName = undefined;
      this.electionDueAt = now + this.knobs.electionDelayMs;
    }
    this.changed();
  }

  /** A node that is part of the cluster from the start, for estates that begin green. */
  seedNode(spec: SimNodeSpec): void {
    this.startNode(spec);
    this.join(this.nodeMap.get(spec.name)!, this.clock.now());
    if (!this.masterName) this.electionDueAt = this.clock.now();
    this.reconcileMaster(this.clock.now());
    for (const idx of this.indices.values()) this.settleInstantly(idx);
    this.changed();
  }

  // ---- nodes and master ----

  nodes(): NodeListing[] {
    return [...this.nodeMap.values()].map((n) => ({
      name: n.spec.name,
      id: n.id,
      ip: n.spec.ip,
      version: n.spec.version,
      roles: [...n.spec.roles],
      joined: n.state === 'joined',
      isMaster: n.spec.name === this.masterName,
    }));
  }

  joinedNodes(): SimNode[] {
    return [...this.nodeMap.values()].filter((n) => n.state === 'joined');
  }

  dataNodes(): SimNode[] {
    return this.joinedNodes().filter(isDataNode);
  }

  nodeByName(name: string): SimNode | undefined {
    return this.nodeMap.get(name);
  }

  nodeById(id: string): SimNode | undefined {
    return [...this.nodeMap.values()].find((n) => n.id === id);
  }

  masterNode(): SimNode | undefined {
    return this.masterName ? this.nodeMap.get(this.masterName) : undefined;
  }

  /** APIs that need the elected master wait for one up to `timeoutMs`, then fail as Elasticsearch does. */
  async requireMaster(timeoutMs = 30_000): Promise<SimNode> {
    await this.notifier.waitUntil(() => !!this.masterNode(), timeoutMs);
    const master = this.masterNode();
    if (!master) throw masterNotDiscovered();
    return master;
  }

  private join(node: SimNode, now: number): void {
    node.state = 'joined';
    node.joinedAt = now;
    if (this.observations.nodesOutNow > 0) this.observations.nodesOutNow--;
  }

  private isExcluded(name: string): boolean {
    return this.exclusions.some((e) => e.node_name === name);
  }

  private hasQuorum(): boolean {
    if (!this.votingConfig.size) return false;
    const live = [...this.votingConfig].filter((n) => this.nodeMap.get(n)?.state === 'joined').length;
    return live * 2 > this.votingConfig.size;
  }

  /** Elasticsearch's Reconfigurator with auto-shrink: prefer live voters, never shrink below three once at three. */
  private reconfigure(): void {
    const live = this.joinedNodes().filter((n) => isMasterEligible(n) && !this.isExcluded(n.spec.name)).map((n) => n.spec.name);
    const current = [...this.votingConfig];
    const minSize = current.length >= 3 ? 3 : 1;
    const target = Math.max(roundDownToOdd(live.length), minSize);
    const liveIn = live.filter((n) => this.votingConfig.has(n)).sort((a, b) => (a === this.masterName ? -1 : b === this.masterName ? 1 : a.localeCompare(b)));
    const liveOut = live.filter((n) => !this.votingConfig.has(n)).sort();
    const deadIn = current.filter((n) => !live.includes(n) && !this.isExcluded(n));
    const next = [...liveIn, ...liveOut, ...deadIn].slice(0, target);
    if (!next.length) return;
    this.votingConfig.clear();
    for (const n of next) this.votingConfig.add(n);
  }

  private reconcileMaster(now: number): boolean {
    const before = this.masterName;
    const master = this.masterNode();
    if (master && this.isExcluded(master.spec.name)) {
      // An excluded master abdicates: a handover, quicker than an election after a crash.
      this.masterName = undefined;
      this.electionDueAt = now + Math.min(this.knobs.electionDelayMs, 500);
    }
    if (!this.masterName) {
      const candidates = this.joinedNodes()
        .filter((n) => isMasterEligible(n) && !this.isExcluded(n.spec.name))
        .sort((a, b) => a.spec.name.localeCompare(b.spec.name));
      if (!this.votingConfig.size && candidates.length) {
        for (const c of candidates.slice(0, roundDownToOdd(candidates.length))) this.votingConfig.add(c.spec.name);
      }
      if (this.electionDueAt === undefined) this.electionDueAt = now + this.knobs.electionDelayMs;
      if (now >= this.electionDueAt && candidates.length && this.hasQuorum()) {
        this.masterName = (candidates.find((c) => this.votingConfig.has(c.spec.name)) ?? candidates[0]).spec.name;
        this.electionDueAt = undefined;
      } else if (now >= this.electionDueAt) {
        this.electionDueAt = now + this.knobs.electionDelayMs;
      }
    }
    if (this.masterName && this.hasQuorum()) this.reconfigure();
    return before !== this.masterName;
  }

  addVotingExclusions(names: string[]): void {
    for (const name of names) {
      if (this.isExcluded(name)) continue;
      this.exclusions.push({ node_id: this.nodeMap.get(name)?.id ?? '_absent_', node_name: name });
    }
    this.tick();
  }

  clearVotingExclusions(): void {
    this.exclusions.length = 0;
    this.tick();
  }

  /** True once no excluded node is a voter (what the exclusions API waits for). */
  exclusionsApplied(): boolean {
    return this.exclusions.every((e) => !this.votingConfig.has(e.node_name)) && !!this.masterNode();
  }

  // ---- cluster settings ----

  effectiveClusterSettings(): FlatSettings {
    return { ...this.persistentSettings, ...this.transientSettings };
  }

  updateClusterSettings(persistent: unknown, transient: unknown): { persistent: FlatSettings; transient: FlatSettings } {
    const apply = (target: FlatSettings, input: unknown): FlatSettings => {
      const applied: FlatSettings = {};
      for (const [k, v] of Object.entries(flatten(input))) {
        if (v === null) delete target[k];
        else target[k] = applied[k] = v;
      }
      return applied;
    };
    const result = { persistent: apply(this.persistentSettings, persistent), transient: apply(this.transientSettings, transient) };
    this.tick();
    return result;
  }

  // ---- indices ----

  allGroups(): ShardGroup[] {
    return [...this.indices.values()].flatMap((i) => i.groups);
  }

  getIndex(name: string): IndexState {
    const idx = this.indices.get(name);
    if (!idx) throw indexNotFound(name);
    return idx;
  }

  private matchingTemplate(name: string): IndexTemplate | undefined {
    const re = (p: string) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return [...this.templates.values()]
      .filter((t) => t.index_patterns.some((p) => re(p).test(name)))
      .sort((a, b) => b.priority - a.priority)[0];
  }

  /** The settings/mappings/aliases an index of that name would get from templates: `_simulate_index`. */
  simulateTemplate(name: string): { template?: IndexTemplate } {
    return { template: this.matchingTemplate(name) };
  }

  createIndexInternal(
    name: string,
    body: { settings?: unknown; mappings?: unknown; aliases?: unknown },
    opts: { bytesPerDoc?: number; applyTemplates?: boolean } = {},
  ): IndexState {
    if (name !== name.toLowerCase()) throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${name}], must be lowercase`, { 'index_uuid': '_na_', index: name });
    if (/^[_\-+]/.test(name) || /[\\/*?"<>| ,#:]/.test(name))
      throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${name}], must not start with '_', '-', or '+'`, { index_uuid: '_na_', index: name });
    const existing = this.indices.get(name);
    if (existing)
      throw new EsError(400, 'resource_already_exists_exception', `index [${name}/${existing.uuid}] already exists`, { index_uuid: existing.uuid, index: name });
    const template = opts.applyTemplates === false ? undefined : this.matchingTemplate(name);
    const settings: FlatSettings = {};
    for (const source of [normalizeIndexSettings(template?.template.settings ?? {}), normalizeIndexSettings(body.settings ?? {})])
      for (const [k, v] of Object.entries(source)) if (v !== null) settings[k] = v;
    const shards = Number(settings['index.number_of_shards'] ?? 1);
    const replicas = Number(settings['index.number_of_replicas'] ?? 1);
    if (!(shards >= 1 && shards <= 1024)) throw new EsError(400, 'illegal_argument_exception', `Failed to parse value [${settings['index.number_of_shards']}] for setting [index.number_of_shards] must be >= 1`);
    const now = this.clock.now();
    const master = this.masterNode() ?? this.joinedNodes()[0];
    const uuid = randomId();
    Object.assign(settings, {
      'index.number_of_shards': String(shards),
      'index.number_of_replicas': String(replicas),
      'index.uuid': uuid,
      'index.creation_date': String(now),
      'index.provided_name': name,
      'index.version.created': versionId(master?.spec.version ?? '8.15.0'),
    });
    const mappings = { properties: {} as Record<string, unknown> };
    for (const m of [template?.template.mappings, body.mappings] as Array<{ properties?: Record<string, unknown> } | undefined>)
      Object.assign(mappings.properties, m?.properties ?? {});
    const aliases = new Map<string, { is_write_index?: boolean }>();
    for (const a of [template?.template.aliases, body.aliases] as Array<Record<string, { is_write_index?: boolean }> | undefined>)
      for (const [k, v] of Object.entries(a ?? {})) aliases.set(k, { ...(v?.is_write_index !== undefined ? { is_write_index: v.is_write_index } : {}) });
    const idx: IndexState = {
      name,
      uuid,
      createdAt: now,
      settings,
      mappings,
      aliases,
      groups: [],
      lastRefreshAt: now,
      bytesPerDoc: opts.bytesPerDoc ?? DEFAULT_BYTES_PER_DOC,
    };
    for (let num = 0; num < shards; num++) {
      const copies: ShardCopy[] = [];
      for (let r = 0; r <= replicas; r++)
        copies.push({ primary: r === 0, state: 'UNASSIGNED', recovered: 0, minDoneAt: 0, unassigned: { reason: 'INDEX_CREATED', at: now } });
      idx.groups.push({ index: name, num, copies, store: new ShardStore(), everStarted: false, dataLost: false });
    }
    this.indices.set(name, idx);
    if (this.masterNode()) reroute(this, now);
    this.changed();
    return idx;
  }

  deleteIndex(name: string): void {
    this.indices.delete(name);
    this.changed();
  }

  /** Applies dynamic index settings; replica count changes add or drop copies. */
  updateIndexSettings(idx: IndexState, changes: Record<string, string | null>): void {
    for (const k of Object.keys(changes)) {
      if (k === 'index.number_of_shards' || k === 'index.uuid' || k === 'index.creation_date')
        throw new EsError(400, 'illegal_argument_exception', `Can't update non dynamic settings [[${k}]] for open indices [[${idx.name}/${idx.uuid}]]`);
    }
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete idx.settings[k];
      else idx.settings[k] = v;
    }
    if ('index.number_of_replicas' in changes) this.setReplicas(idx, Number(changes['index.number_of_replicas'] ?? 1));
    this.tick();
  }

  /** Adds unassigned replicas or drops the least advanced ones until each shard has `want`. */
  private setReplicas(idx: IndexState, want: number): void {
    idx.settings['index.number_of_replicas'] = String(want);
    const now = this.clock.now();
    const order = ['UNASSIGNED', 'INITIALIZING', 'RELOCATING', 'STARTED'];
    for (const g of idx.groups) {
      let replicas = g.copies.filter((c) => !c.primary);
      while (replicas.length < want) {
        g.copies.push({ primary: false, state: 'UNASSIGNED', recovered: 0, minDoneAt: 0, unassigned: { reason: 'REPLICA_ADDED', at: now } });
        replicas = g.copies.filter((c) => !c.primary);
      }
      while (replicas.length > want) {
        const drop = [...replicas].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state))[0];
        g.copies.splice(g.copies.indexOf(drop), 1);
        replicas = g.copies.filter((c) => !c.primary);
      }
    }
  }

  /** Seeds an index whose shards are already started and whose documents are already searchable. */
  createIndex(name: string, opts: SeedIndexOptions): IndexState {
    const idx = this.createIndexInternal(
      name,
      { settings: { ...(opts.settings ?? {}), 'index.number_of_shards': opts.shards, 'index.number_of_replicas': opts.replicas } },
      { bytesPerDoc: opts.bytesPerDoc, applyTemplates: false },
    );
    this.settleInstantly(idx);
    const docs = typeof opts.docs === 'number' ? Array.from({ length: opts.docs }, (_, i) => ({ seq: i, message: `seed doc ${i}` })) : opts.docs ?? [];
    this.indexDocs(name, docs, { refresh: true });
    return idx;
  }

  /** Writes documents directly (no HTTP), optionally refreshing at once. */
  indexDocs(index: string, docs: Array<Record<string, unknown>>, opts: { refresh?: boolean } = {}): void {
    for (const d of docs) this.write(index, 'index', undefined, d);
    if (opts.refresh) for (const idx of this.writeTargets(index)) this.refreshIndex(idx, 0);
    this.changed();
  }

  startTimeSeries(opts: TimeSeriesOptions): TimeSeriesHandle {
    const handle = startTimeSeries(this, opts, () => this.timeSeries.delete(handle));
    this.timeSeries.add(handle);
    return handle;
  }

  private settleInstantly(idx: IndexState): void {
    for (let round = 0; round < 10; round++) {
      reroute(this, this.clock.now());
      let pending = false;
      for (const g of idx.groups) {
        for (const c of g.copies) {
          if (c.state !== 'INITIALIZING') continue;
          c.state = 'STARTED';
          c.unassigned = undefined;
          if (c.primary) g.everStarted = true;
          pending = true;
        }
      }
      if (!pending) break;
    }
    this.changed();
  }

  cloneIndex(source: IndexState, target: string, body: { settings?: unknown; aliases?: unknown }): IndexState {
    if (!this.isWriteBlocked(source))
      throw new EsError(500, 'illegal_state_exception', `index ${source.name} must be read-only to resize index. use "index.blocks.write=true"`);
    const existing = this.indices.get(target);
    if (existing)
      throw new EsError(400, 'resource_already_exists_exception', `index [${target}/${existing.uuid}] already exists`, { index_uuid: existing.uuid, index: target });
    const inherited: Record<string, string> = {};
    for (const [k, v] of Object.entries(source.settings)) {
      if (['index.uuid', 'index.creation_date', 'index.provided_name', 'index.number_of_replicas', 'index.auto_expand_replicas', 'index.version.created'].includes(k)) continue;
      inherited[k] = v;
    }
    const overrides = normalizeIndexSettings(body.settings ?? {});
    const settings: Record<string, string> = { ...inherited };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === null) delete settings[k];
      else settings[k] = v;
    }
    if (settings['index.number_of_shards'] !== String(source.groups.length))
      throw new EsError(400, 'illegal_argument_exception', `The number of primary shards [${settings['index.number_of_shards']}] must be equal to the number of primary shards of the source index [${source.groups.length}]`);
    const idx = this.createIndexInternal(target, { settings, mappings: source.mappings, aliases: body.aliases }, { bytesPerDoc: source.bytesPerDoc, applyTemplates: false });
    const now = this.clock.now();
    idx.groups.forEach((g, i) => {
      const src = source.groups[i];
      g.store = ShardStore.cloneOf(src.store);
      const primary = primaryOf(g);
      const srcPrimary = primaryOf(src);
      // Hard links only work on the node holding the source primary, so the target primary starts there.
      if (isActive(srcPrimary) && srcPrimary.node) {
        Object.assign(primary, { state: 'INITIALIZING', node: srcPrimary.node, recovered: shardBytesOf(idx, g), minDoneAt: now + 200 });
      }
    });
    this.changed();
    return idx;
  }

  isWriteBlocked(idx: IndexState): boolean {
    return idx.settings['index.blocks.write'] === 'true' || idx.settings['index.blocks.read_only'] === 'true';
  }

  /** Indices a write to `name` lands in: the index itself, or an alias's write index. */
  writeTargets(name: string): IndexState[] {
    const idx = this.indices.get(name);
    if (idx) return [idx];
    const holders = [...this.indices.values()].filter((i) => i.aliases.has(name));
    return holders;
  }

  private resolveWriteIndex(name: string): IndexState | undefined {
    const idx = this.indices.get(name);
    if (idx) return idx;
    const holders = [...this.indices.values()].filter((i) => i.aliases.has(name));
    if (!holders.length) return undefined;
    const writer = holders.find((i) => i.aliases.get(name)?.is_write_index) ?? (holders.length === 1 ? holders[0] : undefined);
    if (!writer)
      throw new EsError(400, 'illegal_argument_exception', `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`);
    return writer;
  }

  /** The write path shared by bulk, single-document APIs, reindex and the time-series writer. */
  write(
    indexName: string,
    op: 'index' | 'create' | 'delete',
    id: string | undefined,
    source: Record<string, unknown> | undefined,
    opts: { version?: number; versionType?: 'internal' | 'external' } = {},
  ): WriteResult {
    let idx = this.resolveWriteIndex(indexName);
    if (!idx) {
      if (op === 'delete') throw indexNotFound(indexName);
      if (!this.masterNode()) throw masterNotDiscovered();
      idx = this.createIndexInternal(indexName, {});
    }
    if (!this.masterNode()) throw new EsError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no master];');
    if (idx.settings['index.blocks.read_only'] === 'true') throw readOnlyBlocked(idx.name);
    if (idx.settings['index.blocks.write'] === 'true') throw writeBlocked(idx.name);
    const docId = id ?? randomId(20);
    const g = idx.groups[shardFor(docId, idx.groups.length)];
    const primary = primaryOf(g);
    if (!isActive(primary))
      throw new EsError(503, 'unavailable_shards_exception', `[${idx.name}][${g.num}] primary shard is not active Timeout: [1m], request: [BulkShardRequest [[${idx.name}][${g.num}]] containing [1] requests]`);
    const existing = g.store.live.get(docId);
    const active = g.copies.filter(isActive).length;
    const shards = { total: g.copies.length, successful: active, failed: 0 };
    const conflict = (reason: string) =>
      new EsError(409, 'version_conflict_engine_exception', `[${docId}]: ${reason}`, { index_uuid: idx!.uuid, shard: String(g.num), index: idx!.name });
    if (op === 'delete') {
      if (!existing) return { index: idx.name, id: docId, version: 1, seqNo: ++g.store.seqNo, result: 'not_found', shards };
      g.store.write(docId, undefined);
      return { index: idx.name, id: docId, version: existing.version + 1, seqNo: ++g.store.seqNo, result: 'deleted', shards };
    }
    if (op === 'create' && existing) throw conflict(`version conflict, document already exists (current version [${existing.version}])`);
    let version = (existing?.version ?? 0) + 1;
    if (opts.versionType === 'external' && opts.version !== undefined) {
      if (existing && existing.version >= opts.version)
        throw conflict(`version conflict, current version [${existing.version}] is higher or equal to the one provided [${opts.version}]`);
      version = opts.version;
    }
    const doc: StoredDoc = { id: docId, source: source ?? {}, version, seqNo: ++g.store.seqNo };
    g.store.write(docId, doc);
    inferMappings(idx.mappings.properties, doc.source);
    return { index: idx.name, id: docId, version, seqNo: doc.seqNo, result: existing ? 'updated' : 'created', shards };
  }

  /** Takes a refresh of every shard; handles report when it is visible (after refreshLagMs). */
  refreshIndex(idx: IndexState, lagMs = this.knobs.refreshLagMs): Array<{ applied: boolean }> {
    const now = this.clock.now();
    idx.lastRefreshAt = now;
    return idx.groups.map((g) => g.store.refresh(now, lagMs, this.knobs.staleReadMs));
  }

  /** The searchable documents of one shard; `stale` rebuilds the view a lagging copy would serve. */
  searchView(g: ShardGroup, stale: boolean): DocView {
    return g.store.view(stale && this.knobs.staleReadMs > 0 ? this.clock.now() - this.knobs.staleReadMs : undefined);
  }

  trueDocCount(pattern = '*'): number {
    const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    let n = 0;
    for (const idx of this.indices.values()) {
      if (!re.test(idx.name) || (isHidden(idx) && !pattern.startsWith('.'))) continue;
      for (const g of idx.groups) n += g.store.live.size;
    }
    return n;
  }

  // ---- health ----

  indexHealth(idx: IndexState): estypes.ClusterHealthIndexHealthStats {
    let status: HealthStatus = 'green';
    const h = { active_primary_shards: 0, active_shards: 0, relocating_shards: 0, initializing_shards: 0, unassigned_shards: 0, unassigned_primary_shards: 0 };
    for (const g of idx.groups) {
      for (const c of g.copies) {
        if (isActive(c)) {
          h.active_shards++;
          if (c.primary) h.active_primary_shards++;
        }
        if (c.state === 'RELOCATING') h.relocating_shards++;
        if (c.state === 'INITIALIZING') h.initializing_shards++;
        if (c.state === 'UNASSIGNED') {
          h.unassigned_shards++;
          if (c.primary) h.unassigned_primary_shards++;
        }
        if (!isActive(c)) status = worse(status, c.primary && g.everStarted ? 'red' : 'yellow');
      }
    }
    return {
      status,
      number_of_shards: idx.groups.length,
      number_of_replicas: Number(idx.settings['index.number_of_replicas']),
      ...h,
    };
  }

  /** The cluster health body, optionally restricted to some indices. */
  health(only?: IndexState[], version = this.masterNode()?.spec.version ?? '8.15.0'): estypes.ClusterHealthResponse {
    const indices = only ?? [...this.indices.values()];
    const now = this.clock.now();
    let status: HealthStatus = 'green';
    const sums = { active_primary_shards: 0, active_shards: 0, relocating_shards: 0, initializing_shards: 0, unassigned_shards: 0, unassigned_primary_shards: 0, delayed: 0, total: 0 };
    for (const idx of indices) {
      const h = this.indexHealth(idx);
      status = worse(status, h.status as HealthStatus);
      sums.active_primary_shards += h.active_primary_shards;
      sums.active_shards += h.active_shards;
      sums.relocating_shards += h.relocating_shards;
      sums.initializing_shards += h.initializing_shards;
      sums.unassigned_shards += h.unassigned_shards;
      sums.unassigned_primary_shards += h.unassigned_primary_shards;
      for (const g of idx.groups) {
        sums.total += g.copies.length;
        for (const c of g.copies) if (c.state === 'UNASSIGNED' && c.unassigned?.delayedUntil && c.unassigned.delayedUntil > now) sums.delayed++;
      }
    }
    const joined = this.joinedNodes();
    return {
      cluster_name: this.clusterName,
      status,
      timed_out: false,
      number_of_nodes: joined.length,
      number_of_data_nodes: joined.filter(isDataNode).length,
      active_primary_shards: sums.active_primary_shards,
      active_shards: sums.active_shards,
      relocating_shards: sums.relocating_shards,
      initializing_shards: sums.initializing_shards,
      unassigned_shards: sums.unassigned_shards,
      ...(majorOf(version) >= 8 ? { unassigned_primary_shards: sums.unassigned_primary_shards } : {}),
      delayed_unassigned_shards: sums.delayed,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: sums.total ? (100 * sums.active_shards) / sums.total : 100,
    } as estypes.ClusterHealthResponse;
  }

  // ---- time ----

  /** Advances the simulation to the clock's now. Called by the loop and after every mutating API. */
  tick(): void {
    const now = this.clock.now();
    const dt = Math.max(0, now - this.lastTick);
    this.lastTick = now;
    let changed = false;
    for (const node of this.nodeMap.values()) {
      if (node.state !== 'starting' || now < node.startedAt + this.knobs.joinDelayMs) continue;
      if (this.knobs.neverJoin.has(node.spec.name)) continue;
      if (!this.masterNode() && !isMasterEligible(node)) continue;
      this.join(node, now);
      changed = true;
    }
    changed = this.reconcileMaster(now) || changed;
    if (this.masterNode()) {
      changed = this.autoExpandReplicas() || changed;
      changed = progressRecoveries(this, now, dt) || changed;
      changed = reroute(this, now) || changed;
    }
    for (const idx of this.indices.values()) {
      const interval = parseDuration(idx.settings['index.refresh_interval'] ?? '1s', 'index.refresh_interval');
      if (interval > 0 && now - idx.lastRefreshAt >= interval && idx.groups.some((g) => g.store.hasPending)) this.refreshIndex(idx);
      for (const g of idx.groups) changed = g.store.applyDue(now, this.knobs.staleReadMs) || changed;
    }
    changed = this.tasks.tick(now, dt) || changed;
    for (const ts of this.timeSeries) changed = ts.tick(now) || changed;
    if (changed) this.changed();
  }

  /** `index.auto_expand_replicas` ("0-1", "0-all"): system indices keep a replica once a second data node exists. */
  private autoExpandReplicas(): boolean {
    let changed = false;
    const dataNodes = this.dataNodes().length;
    for (const idx of this.indices.values()) {
      const m = /^(\d+)-(\d+|all)$/.exec(idx.settings['index.auto_expand_replicas'] ?? '');
      if (!m) continue;
      const max = m[2] === 'all' ? Infinity : Number(m[2]);
      const want = Math.max(Number(m[1]), Math.min(max, dataNodes - 1));
      if (String(want) === idx.settings['index.number_of_replicas']) continue;
      this.setReplicas(idx, want);
      changed = true;
    }
    return changed;
  }

  /** Records observations and wakes long polls; call after any state change. */
  changed(): void {
    if (this.health().status === 'red') this.observations.everRed = true;
    this.notifier.notify();
  }
}

const RANK: Record<HealthStatus, number> = { green: 0, yellow: 1, red: 2 };
const worse = (a: HealthStatus, b: HealthStatus): HealthStatus => (RANK[b] > RANK[a] ? b : a);

function shardBytesOf(idx: IndexState, g: ShardGroup): number {
  return g.store.live.size * idx.bytesPerDoc;
}

/** Elasticsearch's numeric version id (8.15.0 → 8150099). */
function versionId(v: string): string {
  const [a, b, c] = v.split('.').map(Number);
  return String(a * 1_000_000 + b * 10_000 + (c ?? 0) * 100 + 99);
}
