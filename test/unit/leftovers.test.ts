import { describe, expect, it } from 'vitest';
import { reindexLeftovers } from '../../jobs/reindex/leftovers';
import { upgradeLeftovers } from '../../jobs/upgrade/leftovers';
import type { JobData, StepRecord } from '../../src/runner/types';

const rec = (step: string): StepRecord => ({ step, label: step, startedAt: 0, finishedAt: 0, summary: '' });
const base = { cluster: 'prod', requester: 'U1', channel: 'C1', requestedAt: 0, cursor: 0 };

describe('what a job that lost its cluster names as left in place', () => {
  it('upgrade: its own allocation settings and voting exclusion, and a terminated node whose replacement had not joined', () => {
    const data = {
      ...base,
      kind: 'upgrade',
      args: {},
      records: [],
      state: {
        plan: { nodes: [{ name: 'es-data-1', instanceId: 'i-1', kind: 'data' }, { name: 'es-master-1', instanceId: 'i-9', kind: 'master' }] },
        savedAllocation: { excludeName: null, enable: null },
        'node:es-data-1': { drainMode: 'restart', terminatedAt: 5 },
        'node:es-master-1': { votingExcluded: true },
      },
    } as unknown as JobData<never>;
    const lines = upgradeLeftovers(data);
    expect(lines[0]).toContain('cluster.routing.allocation.enable=primaries');
    expect(lines[0]).toContain('allocation exclusion of es-data-1');
    expect(lines[0]).toContain('voting exclusion of es-master-1');
    expect(lines).toContain('i-1 (es-data-1) terminated; its replacement had not joined yet');
  });

  it('upgrade: nothing once every node was restored, or before a plan', () => {
    const plan = { nodes: [{ name: 'es-data-1', instanceId: 'i-1', kind: 'data' }] };
    const restored = { ...base, kind: 'upgrade', args: {}, records: [], state: { plan, 'node:es-data-1': { drainMode: 'move-shards', terminatedAt: 1, joinedAt: 2, restored: true } } };
    expect(upgradeLeftovers(restored as unknown as JobData<never>)).toEqual([]);
    expect(upgradeLeftovers({ ...restored, state: {} } as unknown as JobData<never>)).toEqual([]);
  });

  it('reindex: the write block it set, the temporary copy it keeps, and an index deleted but not yet rebuilt', () => {
    const index = (name: string) => ({ name, temp: `${name}-r`, docs: 10, bytes: 100 });
    const saved = { shards: 1, replicas: 1, blocksWrite: false, aliases: [] };
    const data = {
      ...base,
      kind: 'reindex',
      args: { expression: 'logs-*' },
      records: ['a/create-temp', 'b/create-temp', 'c/create-temp', 'c/delete-source', 'c/restore-name', 'c/restore-settings', 'c/delete-temp'].map(rec),
      inFlight: 'b/delete-source',
      state: {
        plan: { indices: [index('a'), index('b'), index('c'), index('d')], refused: [], totalDocs: 40 },
        'index:a': { saved },
        'index:b': { saved },
        'index:c': { saved, settingsRestored: true },
        'index:d': { saved: { ...saved, blocksWrite: true } },
      },
    } as unknown as JobData<never>;
    expect(reindexLeftovers(data)).toEqual([
      'write block on a (set by this job; lift it with `PUT a/_settings {"index.blocks.write": false}`)',
      'temporary copy a-r (a is untouched; delete it only once a is green and reads every document)',
      'b deleted and not yet fully rebuilt: every verified document is in b-r — do not delete b-r',
    ]);
  });
});
