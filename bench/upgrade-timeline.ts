import type { JobData } from '../src/runner/types';
import type { Estate } from '../sim/estate';
import type { UpgradeArgs } from '../jobs/upgrade/args';
import type { NodeProgress } from '../jobs/upgrade/job-state';
import type { Plan } from '../jobs/upgrade/plan';

export interface TruthEvent {
  at: number;
  kind: 'left' | 'joined' | 'empty' | 'green' | 'settled' | 'unsettled' | 'elected';
  node?: string;
  id?: string;
}

/**
 * Records, from the simulator's own state and on every change it makes, the moment each condition the job
 * waits for becomes true: the ground truth detection latencies are measured against.
 */
export function watchTruth(estate: Estate): { events: TruthEvent[]; stop(): void } {
  const { cluster } = estate.es;
  const events: TruthEvent[] = [];
  let stopped = false;
  let ids = new Map<string, string>();
  const held = new Map<string, number>();
  let green = false;
  let settled = false;
  let master: string | undefined;
  const observe = () => {
    const at = estate.clock.now();
    const joined = new Map(cluster.nodes().filter((n) => n.joined).map((n) => [n.id, n.name] as const));
    for (const [id, name] of ids) if (!joined.has(id)) events.push({ at, kind: 'left', node: name, id });
    for (const [id, name] of joined) if (!ids.has(id)) events.push({ at, kind: 'joined', node: name, id });
    ids = joined;
    const counts = new Map<string, number>();
    for (const idx of cluster.indices.values()) for (const g of idx.groups) for (const c of g.copies) if (c.node) counts.set(c.node, (counts.get(c.node) ?? 0) + 1);
    for (const [name, before] of held) if (before > 0 && !counts.get(name) && [...joined.values()].includes(name)) events.push({ at, kind: 'empty', node: name });
    held.clear();
    for (const [name, n] of counts) held.set(name, n);
    const elected = cluster.masterNode()?.spec.name;
    if (elected && elected !== master) events.push({ at, kind: 'elected', node: elected });
    master = elected;
    const h = cluster.health();
    const nowGreen = h.status === 'green';
    const nowSettled = nowGreen && h.relocating_shards === 0 && h.initializing_shards === 0;
    if (nowGreen && !green) events.push({ at, kind: 'green' });
    if (nowSettled !== settled) events.push({ at, kind: nowSettled ? 'settled' : 'unsettled' });
    green = nowGreen;
    settled = nowSettled;
    return stopped;
  };
  void cluster.notifier.waitUntil(observe, Number.POSITIVE_INFINITY);
  return {
    events,
    stop: () => {
      stopped = true;
      cluster.notifier.notify();
    },
  };
}

export interface WaitMeasure {
  node: string;
  wait: 'drain' | 'gate' | 'leave' | 'join' | 'green';
  /** Clock ms the cluster itself took (from the step's start, or the previous event, until the condition held). */
  imposedMs: number;
  /** Clock ms from the condition holding until the step finished. */
  latencyMs: number;
}

/** Lines up the job's step records with the ground truth. */
export function measureWaits(data: JobData<UpgradeArgs>, events: TruthEvent[]): WaitMeasure[] {
  const plan = data.state.plan as Plan;
  const rec = (step: string) => data.records.find((r) => r.step === step);
  const first = (kind: TruthEvent['kind'], from: number, node?: string, notId?: string) =>
    events.find((e) => e.kind === kind && e.at >= from && (!node || e.node === node) && (!notId || e.id !== notId));
  const settledAt = (t: number) => {
    const before = [...events].reverse().find((e) => (e.kind === 'settled' || e.kind === 'unsettled') && e.at <= t);
    return before?.kind === 'settled' ? t : first('settled', t)?.at;
  };
  const greenAt = (t: number) => {
    const g = [...events].reverse().find((e) => (e.kind === 'green' || e.kind === 'unsettled' || e.kind === 'settled') && e.at <= t);
    return g && g.kind !== 'unsettled' ? t : first('green', t)?.at;
  };
  const out: WaitMeasure[] = [];
  // The condition is looked up from the step's start: clamp to the step, so a late event cannot count twice.
  const push = (node: string, wait: WaitMeasure['wait'], from: number, cond: number, to: number) => {
    const at = Math.min(Math.max(cond, from), to);
    out.push({ node, wait, imposedMs: at - from, latencyMs: to - at });
  };
  for (const n of plan.nodes) {
    const p = data.state[`node:${n.name}`] as NodeProgress;
    const drain = rec(`${n.name}/drain`);
    if (drain && p.drainMode === 'move-shards') {
      const at = first('empty', drain.startedAt, n.name)?.at ?? drain.startedAt;
      push(n.name, 'drain', drain.startedAt, at, drain.finishedAt);
    }
    const term = rec(`${n.name}/terminate`)!;
    const gate = settledAt(term.startedAt) ?? term.startedAt;
    push(n.name, 'gate', term.startedAt, gate, term.finishedAt);
    const leave = rec(`${n.name}/await-leave`)!;
    const gone = events.find((e) => e.kind === 'left' && e.id === n.id)!.at;
    // A master's leave completes when another master is elected.
    const wasElected = [...events].reverse().find((e) => e.kind === 'elected' && e.at <= gone)?.node === n.name;
    const left = wasElected ? (first('elected', gone)?.at ?? gone) : gone;
    push(n.name, 'leave', leave.startedAt, left, leave.finishedAt);
    const join = rec(`${n.name}/await-replacement`)!;
    const joined = first('joined', gone, n.name, n.id)!.at;
    push(n.name, 'join', join.startedAt, joined, join.finishedAt);
    const green = rec(`${n.name}/await-green`)!;
    const g = greenAt(green.startedAt) ?? green.finishedAt;
    push(n.name, 'green', green.startedAt, g, green.finishedAt);
  }
  return out;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}
