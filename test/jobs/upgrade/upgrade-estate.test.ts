import { afterEach, describe, expect, it } from 'vitest';
import { seedEstate, TARGET, type SeededEstate } from '../../../sim/seed/upgrade-seed';
import { estateDeps } from '../../../sim/seed/upgrade-deps';
import { runUpgrade, type Phase, type RunResult } from '../../../bench/upgrade-drive';
import type { UpgradeSettings } from '../../../jobs/upgrade/ports';

let seeded: SeededEstate | undefined;
afterEach(async () => {
  seeded?.series.stop();
  await seeded?.estate.close();
  seeded = undefined;
});

const FAST: Partial<UpgradeSettings> = { pollInterval: 1000, pollTimeout: 30_000 };

async function assertUpgraded(s: SeededEstate, r: RunResult): Promise<void> {
  const { estate } = s;
  expect(r.outcome, r.detail).toBe('completed');
  const obs = estate.es.cluster.observations;
  expect(obs.everRed).toBe(false);
  expect(obs.maxNodesOut).toBeLessThanOrEqual(1);
  expect(obs.lostDocs).toBe(0);
  s.series.stop();
  expect(estate.es.cluster.trueDocCount('*')).toBeGreaterThanOrEqual(s.expectedDocs());
  const nodes = estate.es.cluster.nodes();
  expect(nodes).toHaveLength(9);
  expect(nodes.map((n) => n.version)).toEqual(Array(9).fill(TARGET));
  const terminated = estate.aws.sim.terminations.map((t) => t.instanceId);
  expect(terminated).toHaveLength(9);
  expect(new Set(terminated).size).toBe(9);
  for (const id of terminated) expect(r.summary).toContain(id);
}

describe('rolling upgrade on the simulated estate (3 masters, 6 data, 7.17 → 8.15, documents arriving)', () => {
  it('replaces every node, one at a time, never red, no document lost', async () => {
    seeded = await seedEstate();
    const deps = estateDeps(seeded.estate, FAST);
    const r = await runUpgrade({ deps, clock: seeded.estate.clock });
    await assertUpgraded(seeded, r);
    expect(r.said.join('\n')).toMatch(/Kibana may refuse to work/);
    expect(r.summary).toMatch(/9 nodes replaced in/);
    const order = r.data.records.filter((x) => x.step.endsWith('/terminate')).map((x) => x.step.split('/')[0]);
    expect(order.slice(0, 6).every((n) => n.startsWith('es-data'))).toBe(true);
    expect(order.slice(6).every((n) => n.startsWith('es-master'))).toBe(true);
  }, 60_000);

  it('resumes after a crash at every step boundary and during every wait, terminating no instance twice', async () => {
    seeded = await seedEstate();
    const seen = new Set<string>();
    let crashes = 0;
    let r: RunResult | undefined;
    for (let attempt = 0; attempt < 400; attempt++) {
      // Each run crashes at the first boundary it has not crashed at yet: a new worker with new clients resumes.
      const crashAt = (step: string, phase: Phase) => {
        const key = `${step}:${phase}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      };
      r = await runUpgrade({ deps: estateDeps(seeded.estate, FAST), clock: seeded.estate.clock, data: r?.data, crashAt });
      if (r.outcome !== 'crashed') break;
      crashes++;
    }
    expect(crashes).toBeGreaterThan(100);
    await assertUpgraded(seeded, r!);
    expect(r!.data.records.some((x) => x.skipped && x.step.endsWith('/terminate'))).toBe(false);
  }, 120_000);
});
