import { auditIndex, countAll, type AuditOptions, type IndexAudit } from './doc-audit';
import { groupInstances, terminationActivities, type TerminationActivity } from './aws-probe';
import { createWatchClients, type WatchClients, type WatchTarget } from './clients';
import { sampleHealth, type Health, type HealthSample } from './es-probe';
import { findViolations, type Limits } from './violations';

export interface WatcherOptions extends WatchTarget {
  /** Nodes the cluster should have: every group's desired capacity. "Nodes out" is this minus the joined nodes. */
  expectedNodes: number;
  /** Clock time for the figures (a simulated clock in tests); defaults to wall time. */
  now?: () => number;
  /** Real ms between health looks; one look in flight at a time, so slow answers slow the loop, never pile up. */
  pollMs?: number;
  /** Real ms between AWS looks (activities and instance states): rarer, as AWS throttles describe calls. */
  awsPollMs?: number;
}

export interface WatchReport {
  startedAt: number;
  endedAt: number;
  samples: number;
  /** Health looks that got no answer, and the longest stretch (clock ms) without one. */
  blindSamples: number;
  longestBlindMs: number;
  longestBlindFrom?: number;
  expectedNodes: number;
  maxNodesOut: number;
  maxNodesOutAt?: number;
  redSeen: boolean;
  firstRedAt?: number;
  maxUnassignedPrimaries: number;
  /** Clock ms spent in each status, from one answered look to the next. */
  timeIn: Record<Health, number>;
  /** Status changes as seen: when the cluster went yellow, red, green. */
  transitions: Array<{ at: number; status: Health }>;
  terminations: TerminationActivity[];
  /** Instances with more than one termination activity. */
  terminatedTwice: Array<{ instanceId: string; activities: number }>;
  /** EC2 states each instance was seen in, in order (e.g. running → shutting-down → terminated). */
  instanceStates: Record<string, string[]>;
  awsErrors: number;
  /** The last document audit, per index. */
  documents: IndexAudit[];
}

/**
 * An observer that is not the simulator: it sees the estate only through public Elasticsearch and AWS APIs,
 * with the official clients, and keeps the figures an on-call engineer would want after a change — how many
 * nodes were out at once, whether and when the cluster went red, how long it was yellow, which instances were
 * terminated more than once, and whether every acknowledged document can still be counted.
 */
export class Watcher {
  private readonly clients: WatchClients;
  private readonly now: () => number;
  private running = false;
  private loops: Promise<void>[] = [];
  private last?: HealthSample;
  private blindSince?: number;
  private r: WatchReport;
  private readonly activities = new Map<string, TerminationActivity>();

  constructor(private readonly o: WatcherOptions) {
    this.clients = createWatchClients(o);
    this.now = o.now ?? Date.now;
    const t = this.now();
    this.r = {
      startedAt: t,
      endedAt: t,
      samples: 0,
      blindSamples: 0,
      longestBlindMs: 0,
      expectedNodes: o.expectedNodes,
      maxNodesOut: 0,
      redSeen: false,
      maxUnassignedPrimaries: 0,
      timeIn: { green: 0, yellow: 0, red: 0 },
      transitions: [],
      terminations: [],
      terminatedTwice: [],
      instanceStates: {},
      awsErrors: 0,
      documents: [],
    };
  }

  /** The document counts of every open index now: the baseline for indices nobody writes during the watch. */
  baseline(pattern = '*'): Promise<Record<string, number>> {
    return countAll(this.clients.es, pattern);
  }

  /** Takes one look of each kind (so the report is never empty), then keeps looking until stop(). */
  async start(): Promise<void> {
    this.running = true;
    this.r.startedAt = this.now();
    await this.lookAtHealth();
    await this.lookAtAws();
    this.loops = [
      this.every(this.o.pollMs ?? 20, () => this.lookAtHealth()),
      this.every(this.o.awsPollMs ?? 100, () => this.lookAtAws()),
    ];
  }

  /** Stops looking after a last look of each kind, so what happened just before the end is in the report. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.loops);
    await this.lookAtHealth();
    await this.lookAtAws();
    this.r.endedAt = this.now();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.clients.close();
  }

  /**
   * Counts every index that must hold documents against what must be in it (seeded baseline plus acknowledged
   * writes). Call once writes have stopped; the result is also kept in the report.
   */
  async auditDocuments(expected: Record<string, number>, o?: AuditOptions): Promise<IndexAudit[]> {
    const out: IndexAudit[] = [];
    for (const [index, n] of Object.entries(expected)) out.push(await auditIndex(this.clients.es, index, n, o));
    this.r.documents = out;
    return out;
  }

  report(): WatchReport {
    const r = structuredClone(this.r);
    r.endedAt = this.running ? this.now() : r.endedAt;
    return r;
  }

  /** Broken invariants in plain words; empty when the watch saw nothing wrong. */
  violations(limits: Limits = { maxNodesOut: 1 }): string[] {
    return findViolations(this.report(), limits);
  }

  // ---- looking -------------------------------------------------------------------------------------------

  private async every(ms: number, look: () => Promise<void>): Promise<void> {
    while (this.running) {
      await look();
      await new Promise((res) => setTimeout(res, ms));
    }
  }

  private async lookAtHealth(): Promise<void> {
    const s = await sampleHealth(this.clients.es, this.now);
    const r = this.r;
    r.samples++;
    // Time between two looks is put down to what the earlier one saw: the cluster was in that state when last seen.
    if (this.last?.status) r.timeIn[this.last.status] += Math.max(0, s.at - this.last.at);
    if (s.error || !s.status) {
      r.blindSamples++;
      this.blindSince ??= this.last?.status ? this.last.at : s.at;
      if (s.at - this.blindSince > r.longestBlindMs) {
        r.longestBlindMs = s.at - this.blindSince;
        r.longestBlindFrom = this.blindSince;
      }
    } else {
      this.blindSince = undefined;
      if (r.transitions.at(-1)?.status !== s.status) r.transitions.push({ at: s.at, status: s.status });
      if (s.status === 'red' && !r.redSeen) {
        r.redSeen = true;
        r.firstRedAt = s.at;
      }
      const out = this.o.expectedNodes - (s.nodes ?? this.o.expectedNodes);
      if (out > r.maxNodesOut) {
        r.maxNodesOut = out;
        r.maxNodesOutAt = s.at;
      }
      r.maxUnassignedPrimaries = Math.max(r.maxUnassignedPrimaries, s.unassignedPrimaries ?? 0);
    }
    this.last = s;
  }

  private async lookAtAws(): Promise<void> {
    const { groups } = this.o.aws;
    try {
      for (const a of await terminationActivities(this.clients.autoscaling, groups)) this.activities.set(a.activityId, a);
      for (const i of await groupInstances(this.clients.ec2, groups)) {
        const seen = (this.r.instanceStates[i.instanceId] ??= []);
        if (seen.at(-1) !== i.state) seen.push(i.state);
      }
    } catch {
      this.r.awsErrors++;
      return;
    }
    const all = [...this.activities.values()].sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
    const per = new Map<string, number>();
    for (const a of all) per.set(a.instanceId, (per.get(a.instanceId) ?? 0) + 1);
    this.r.terminations = all;
    this.r.terminatedTwice = [...per].filter(([, n]) => n > 1).map(([instanceId, activities]) => ({ instanceId, activities }));
  }
}
