import { describe, expect, it } from 'vitest';
import { reindexJob } from '../../../jobs/reindex';
import { measuredEstimate, MEASURED_BASIS } from '../../../jobs/reindex/measured-estimate';
import type { ReindexPort } from '../../../jobs/reindex/port';
import { approveRunStep } from '../../../jobs/reindex/steps/approve-run';
import { followCopyStep } from '../../../jobs/reindex/steps/follow-copy';
import type { Plan, PlannedIndex, ReindexArgs, ReindexCtx } from '../../../jobs/reindex/types';
import type { Clock } from '../../../src/clock';
import type { StepRecord } from '../../../src/runner/types';

const MB = 1024 ** 2;
const index = (name: string, docs: number, bytes = 2 * MB): PlannedIndex => ({ name, temp: `${name}-r`, docs, bytes, health: 'green', template: 'logs' });

function planOf(indices: PlannedIndex[], restoreVia: Plan['restoreVia'] = 'reindex'): Plan {
  return { indices, refused: [], totalDocs: indices.reduce((s, i) => s + i.docs, 0), totalBytes: indices.reduce((s, i) => s + i.bytes, 0), restoreVia, version: '8.15.0' };
}

function clockAt(t: number, speed = 1): Clock {
  return { speed, origin: 0, toReal: (ms) => ms / speed, now: () => t, sleep: async () => undefined };
}

/** A step context over plain objects: only what the steps under test read. */
function ctxFor(o: { plan: Plan; args?: Partial<ReindexArgs>; state?: Record<string, unknown>; records?: StepRecord[]; es?: Partial<ReindexPort>; now?: number; speed?: number }) {
  const state: Record<string, unknown> = { plan: o.plan, ...o.state };
  const said: string[] = [];
  const ctx = {
    jobId: 'reindex-prod-20261201-0912-abcd',
    data: { kind: 'reindex', cluster: 'prod', requester: 'U1', channel: 'C1', args: { expression: 'logs-*', ...o.args }, requestedAt: 0, cursor: 0, state, records: o.records ?? [], overrides: {} },
    state,
    deps: { es: o.es ?? {}, settings: { countChecks: 3, countInterval: 2000, taskPollTimeout: 30_000 } },
    clock: clockAt(o.now ?? 0, o.speed),
    signal: new AbortController().signal,
    setState: async (p: Record<string, unknown>) => void Object.assign(state, p),
    progress: async (t: string) => void said.push(t),
    say: async (t: string) => void said.push(t),
    log: async () => undefined,
    decide: async () => ({ approved: false, by: 'U2', at: 0 }),
  } as unknown as ReindexCtx;
  return { ctx, state, said };
}

describe('reindex wording: one index is "1 index"', () => {
  const one = planOf([index('logs-2024.01', 1)]);

  it('in the approval, its step result and the dry run', async () => {
    const { ctx } = ctxFor({ plan: one });
    expect((await approveRunStep.approval!(ctx)).action).toBe('reindex 1 index (1 doc) on prod');
    expect(await approveRunStep.run(ctx)).toEqual({ done: 'approved: 1 index, one at a time' });
    const dry = ctxFor({ plan: one, args: { dryRun: true } }).ctx;
    expect(reindexJob.definition.summary!(dry).text).toBe('dry run: 1 index (1 doc) would be reindexed; nothing changed');
  });

  it('in the summary, whose duration is labelled as cluster time when that clock is accelerated', () => {
    const state = { 'index:logs-2024.01': { restoreVerified: 1, copyMs: 10 } };
    const records = [{ step: 'plan', label: 'Plan', startedAt: 0, finishedAt: 1000, summary: '' }];
    const real = ctxFor({ plan: one, state, records, now: 61_000 }).ctx;
    expect(reindexJob.definition.summary!(real).text).toBe('reindexed 1 index (1 document, each count verified before and after) in 1m 1s; refused: 0');
    const fast = ctxFor({ plan: one, state, records, now: 61_000, speed: 150 }).ctx;
    expect(reindexJob.definition.summary!(fast).text).toMatch(/ in 1m 1s cluster time, 150× real time; refused: 0$/);
  });
});

describe('the reindex estimate, measured on the first copy', () => {
  const two = planOf([index('logs-a', 1000, 2 * MB), index('logs-b', 3000, 6 * MB)]);
  const throttle = { maxBytesPerSec: 40 * MB, throttleFrom: 'default' as const };
  const base = { current: 'logs-a', copied: 1000, copyMs: 10_000, beforeCopyMs: 2000, shapes: [{ name: 'logs-a', shards: 1, replicas: 1 }], dataNodes: 3, throttle, checks: { countChecks: 3, countInterval: 2000 }, speed: 1 };

  it('projects the other copies at the measured rate, a second copy each, and the count checks', () => {
    const e = measuredEstimate({ ...base, plan: two })!;
    // logs-a: 2 s before the copy + 10 s copy + 10 s second copy + 8 s of checks; logs-b the same at 3× the documents.
    expect(e.groups).toEqual({ 'logs-a': 30_000, 'logs-b': 70_000 });
    expect(e.totalMs).toBe(100_000);
    expect(e.basis).toBe(MEASURED_BASIS);
    expect(e.text).toBe(
      '⏱ Estimate from this copy (100 docs/s): ~1m 28s of work left, ~1m 40s in all — copying logs-b (3,000 docs) at that rate: ~30 s; ' +
        'rebuilding each under its name (a second copy at that rate): ~40 s; count checks: ~16 s. ' +
        "Waiting for approvals is not included; the card's ETA corrects it as each index finishes.",
    );
  });

  it('counts a clone by its replicas\' recovery at the throttle when that is quicker, and labels an accelerated clock', () => {
    const e = measuredEstimate({ ...base, plan: planOf(two.indices, 'auto'), speed: 150 })!;
    // 1 replica copy of 1 MB (logs-a) and of 3 MB (logs-b) at 40 MB/s: 25 ms and 75 ms, far below a second copy.
    expect(e.groups).toEqual({ 'logs-a': 20_025, 'logs-b': 40_075 });
    expect(e.text).toMatch(/in all \(cluster time, 150× real time\) — .*rebuilding each under its name \(a clone, its replicas recovering at 40\.0 MB\/s\): ~100 ms/);
  });

  it('gives no figure for a copy too quick to time', () => {
    expect(measuredEstimate({ ...base, plan: two, copyMs: 0 })).toBeUndefined();
    expect(measuredEstimate({ ...base, plan: two, copied: 0 })).toBeUndefined();
  });

  it('is posted by the first copy\'s step and recorded for the card; a later copy only says what is left', async () => {
    const es: Partial<ReindexPort> = {
      waitForTask: async () => ({ kind: 'completed', status: { total: 1000, created: 1000, updated: 0, versionConflicts: 0 }, failures: [] }),
      recoveryThrottle: async () => throttle,
      dataNodeCount: async () => 3,
      settingsOf: async () => ({ shards: 1, replicas: 1, blocksWrite: false }),
    };
    const records: StepRecord[] = [
      { step: 'plan', label: 'Plan', startedAt: 0, finishedAt: 1000, workMs: 1000, summary: '' },
      { step: 'logs-a/block-writes', label: '', startedAt: 1000, finishedAt: 2000, workMs: 1000, summary: '' },
      { step: 'logs-a/create-temp', label: '', startedAt: 2000, finishedAt: 2500, workMs: 500, summary: '' },
      { step: 'logs-a/start-copy', label: '', startedAt: 2500, finishedAt: 3000, workMs: 500, summary: '' },
    ];
    const saved = { shards: 1, replicas: 1, blocksWrite: false, aliases: [] };
    const first = ctxFor({ plan: two, es, records, now: 13_000, state: { 'index:logs-a': { copyTask: 't1', saved } } });
    const out = await followCopyStep(two.indices[0]).run(first.ctx);
    if (!('done' in out)) throw new Error(`the copy step stopped: ${JSON.stringify(out)}`);
    expect(out.done).toMatch(/^logs-a-r received 1,000 of 1,000 documents \(100 docs\/s over 10 s\)\. ⏱ Estimate from this copy \(100 docs\/s\): ~1m 28s of work left, ~1m 40s in all/);
    expect(out.state?.estimate).toEqual({ totalMs: 100_000, groups: { 'logs-a': 30_000, 'logs-b': 70_000 }, basis: MEASURED_BASIS });

    // The second index's copy: the estimate stands (the card's ETA corrects it), nothing is re-estimated.
    const second = ctxFor({
      plan: two,
      es,
      now: 50_000,
      records: [...records, { step: 'logs-b/start-copy', label: '', startedAt: 39_000, finishedAt: 40_000, workMs: 1000, summary: '' }],
      state: { estimate: out.state!.estimate, 'index:logs-a': { copyMs: 10_000 }, 'index:logs-b': { copyTask: 't2', saved } },
    });
    const later = await followCopyStep(two.indices[1]).run(second.ctx);
    expect('done' in later && later.done).toBe('logs-b-r received 1,000 of 1,000 documents (100 docs/s over 10 s).');
    expect('state' in later && later.state?.estimate).toBeUndefined();
  });
});

describe('the reindex plan', () => {
  const es: Partial<ReindexPort> = {
    clusterVersion: async () => '8.15.0',
    resolve: async () => [{ name: 'logs-2024.01', health: 'green', status: 'open', docs: 1, bytes: 2 * MB, hidden: false, system: false }],
    ownerOf: async () => undefined,
    aliasesOf: async () => [],
    listNames: async () => ['logs-2024.01', 'logs-2024.02'],
    exists: async () => false,
    refresh: async () => undefined,
    count: async () => ({ count: 1, allShards: true, shards: '1/1' }),
    templateFor: async () => ({ name: 'logs', mappings: {} }),
  };
  const settings = { countChecks: 3, countInterval: 2000, quietPeriod: 5000, suffix: '-r', maxIndices: 20, restoreVia: 'auto' };
  const run = async (dryRun: boolean) => {
    const { ctx } = ctxFor({ plan: planOf([]), es, args: { expression: 'logs-2024.01', dryRun } });
    delete (ctx.state as Record<string, unknown>).plan;
    Object.assign(ctx.deps.settings, settings);
    const { planStep } = await import('../../../jobs/reindex/steps/plan-run');
    const out = await planStep.run(ctx);
    if (!('done' in out)) throw new Error(`the plan stopped: ${JSON.stringify(out)}`);
    return out;
  };

  it('names no time it cannot know: no made-up estimate is recorded, and the text says when one comes', async () => {
    const real = await run(false);
    expect(real.done).toMatch(/Total: 1 index, 1 doc, 2\.0 MB\./);
    expect(real.done).toMatch(/Estimated time: posted when the first copy is done, from its measured rate/);
    expect(real.state).not.toHaveProperty('estimate');
    const dry = await run(true);
    expect(dry.done).toMatch(/No time estimate: how fast this cluster copies is only known once a real run has timed its first copy/);
    expect(dry.state).not.toHaveProperty('estimate');
  });
});
