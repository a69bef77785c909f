import { DEFAULT_SETTINGS } from '../../../sim/seed/upgrade-deps';
import type { Clock } from '../../../src/clock';
import type { Decision, JobData } from '../../../src/runner/types';
import type { UpgradeArgs } from '../../../jobs/upgrade/args';
import type { Ctx } from '../../../jobs/upgrade/job-state';
import type {
  AllocationExplanation,
  AwsUpgradePort,
  EsNode,
  EsUpgradePort,
  GroupFacts,
  HealthReport,
  InstanceFacts,
  RecoverySettings,
  ShardCopy,
  UpgradeDeps,
  UpgradeSettings,
  VotingExclusions,
} from '../../../jobs/upgrade/ports';

/** In-memory ports for unit tests: plain data the test arranges, no simulator, no SDK. */
export class FakeEs implements EsUpgradePort {
  nodeList: EsNode[] = [];
  master: string | undefined;
  report: HealthReport = { status: 'green', nodes: 0, dataNodes: 0, initializing: 0, relocating: 0, unassigned: 0, timedOut: false };
  shardList: ShardCopy[] = [];
  explanations = new Map<string, AllocationExplanation>();
  settings = { excludeName: null as string | null, enable: null as string | null, maxShardsPerNode: 1000 };
  exclusions: string[] = [];
  /** Set to say the cluster state's voting exclusions could not be read. */
  exclusionsUnknown: string | undefined;
  async nodes() {
    return this.nodeList;
  }
  async electedMaster() {
    return this.master;
  }
  async health() {
    return { ...this.report, nodes: this.nodeList.length };
  }
  async shards() {
    return this.shardList;
  }
  async explain(s: { index: string; shard: number; primary: boolean }) {
    return this.explanations.get(`${s.index}[${s.shard}]`) ?? { ...s, noDecisions: [] };
  }
  async disks() {
    return this.nodeList.map((n) => ({ node: n.name, availBytes: 100 * 2 ** 30, totalBytes: 200 * 2 ** 30 }));
  }
  async allocationSettings() {
    return { ...this.settings };
  }
  recovery: RecoverySettings | Error = { maxBytesPerSec: 40 * 2 ** 20, concurrentRecoveries: 2, throttleFrom: 'default' };
  async recoverySettings() {
    if (this.recovery instanceof Error) throw this.recovery;
    return { ...this.recovery };
  }
  async setAllocation(p: { excludeName?: string | null; enable?: string | null }) {
    Object.assign(this.settings, p);
  }
  async flush() {}
  async votingExclusions(): Promise<VotingExclusions> {
    return this.exclusionsUnknown ? { known: false, why: this.exclusionsUnknown } : { known: true, names: [...this.exclusions] };
  }
  async addVotingExclusion(n: string) {
    this.exclusions.push(n);
  }
  async clearVotingExclusions() {
    this.exclusions = [];
  }
}

export class FakeAws implements AwsUpgradePort {
  groupList: GroupFacts[] = [];
  instanceList: InstanceFacts[] = [];
  templateVersion = '8.15.0';
  terminated: string[] = [];
  async groups(names: string[]) {
    return this.groupList.filter((g) => names.includes(g.name));
  }
  async launchTemplateTag() {
    return this.templateVersion;
  }
  async instances(ids: string[]) {
    return this.instanceList.filter((i) => ids.includes(i.id));
  }
  async terminate(id: string) {
    this.terminated.push(id);
    const i = this.instanceList.find((x) => x.id === id);
    if (i) i.state = 'shutting-down';
  }
}

export const SETTINGS: UpgradeSettings = { ...DEFAULT_SETTINGS, groups: { masters: 'es-master', data: 'es-data' } };

export interface NodeSpec {
  name: string;
  roles: string[];
  version?: string;
}

/** A consistent estate: one instance per node, nodes in es-master or es-data by role, all on `version`. */
export function fakeEstate(specs: NodeSpec[], version = '7.17.25') {
  const es = new FakeEs();
  const aws = new FakeAws();
  specs.forEach((s, i) => {
    const ip = `10.0.0.${i + 10}`;
    es.nodeList.push({ id: `id-${s.name}`, name: s.name, ip, version: s.version ?? version, roles: s.roles, attributes: {} });
    aws.instanceList.push({ id: `i-${s.name}`, state: 'running', privateIp: ip, tags: { Name: s.name, Version: s.version ?? version }, launchTime: i });
  });
  const group = (name: string, master: boolean) => {
    const members = specs.filter((s) => s.roles.includes('master') === master);
    return { name, desiredCapacity: members.length, instances: members.map((m) => ({ id: `i-${m.name}`, lifecycle: 'InService' })), suspendedProcesses: [], launchTemplate: { id: `lt-${name}`, version: '$Latest' } };
  };
  aws.groupList = [group('es-master', true), group('es-data', false)];
  es.master = specs.find((s) => s.roles.includes('master'))?.name;
  const deps: UpgradeDeps & { es: FakeEs; aws: FakeAws } = { es, aws, settings: { ...SETTINGS } };
  return { es, aws, deps };
}

export function manualClock(start = 1_700_000_000_000): Clock {
  let t = start;
  return { speed: 1, origin: start, toReal: (ms) => ms, now: () => t, sleep: async (ms) => void (t += ms) };
}

/** A step context over plain objects: records what the job said and answers decisions from `answers`. */
export function fakeCtx(deps: UpgradeDeps, opts: { args?: UpgradeArgs; state?: Record<string, unknown>; inFlight?: string; answers?: Record<string, boolean> } = {}) {
  const said: string[] = [];
  const asked: string[] = [];
  const state: Record<string, unknown> = { ...opts.state };
  const data: JobData<UpgradeArgs> = {
    kind: 'upgrade',
    cluster: 'prod',
    requester: 'U1',
    channel: 'C1',
    args: opts.args ?? {},
    requestedAt: 0,
    cursor: 0,
    inFlight: opts.inFlight,
    state,
    records: [],
    overrides: {},
  };
  const ctx: Ctx = {
    jobId: 'job-1',
    data,
    state,
    deps,
    clock: manualClock(),
    signal: new AbortController().signal,
    setState: async (p) => void Object.assign(state, p),
    progress: async (t) => void said.push(t),
    say: async (t) => void said.push(t),
    log: async () => undefined,
    decide: async (id, q): Promise<Decision> => {
      asked.push(`${id}: ${q.action}`);
      const approved = opts.answers?.[id];
      if (approved === undefined) throw new Error(`unexpected question ${id}: ${q.action}`);
      return { approved, by: 'U2', at: 0 };
    },
  };
  return { ctx, said, asked, state };
}

export const NINE: NodeSpec[] = [
  { name: 'es-master-1', roles: ['master'] },
  { name: 'es-master-2', roles: ['master'] },
  { name: 'es-master-3', roles: ['master'] },
  ...[1, 2, 3, 4, 5, 6].map((i) => ({ name: `es-data-${i}`, roles: ['data', 'ingest'] })),
];
