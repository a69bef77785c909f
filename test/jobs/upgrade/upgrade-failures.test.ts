import { afterEach, describe, expect, it } from 'vitest';
import { seedEstate, TARGET, type SeededEstate } from '../../../sim/seed/upgrade-seed';
import { estateDeps } from '../../../sim/seed/upgrade-deps';
import { Crash, runUpgrade } from '../../../bench/upgrade-drive';

let seeded: SeededEstate | undefined;
afterEach(async () => {
  seeded?.series.stop();
  await seeded?.estate.close();
  seeded = undefined;
});

describe('upgrade failures on the simulated estate', () => {
  it('a crash right after the terminate call returns: the resumed step sees the instance shutting down and does not terminate again', async () => {
    seeded = await seedEstate();
    const deps = estateDeps(seeded.estate);
    const terminate = deps.aws.terminate.bind(deps.aws);
    let killed = 0;
    deps.aws.terminate = async (id, via) => {
      await terminate(id, via);
      if (killed++ < 2) throw new Crash('SIGKILL after TerminateInstanceInAutoScalingGroup returned');
    };
    let r = await runUpgrade({ deps, clock: seeded.estate.clock, args: { nodes: ['es-data-2', 'es-master-2'] } });
    expect(r.outcome).toBe('crashed');
    expect(r.data.inFlight).toBe('es-data-2/terminate');
    r = await runUpgrade({ deps, clock: seeded.estate.clock, data: r.data });
    expect(r.outcome).toBe('crashed');
    expect(r.data.inFlight).toBe('es-master-2/terminate');
    r = await runUpgrade({ deps, clock: seeded.estate.clock, data: r.data });
    expect(r.outcome, r.detail).toBe('completed');
    expect(r.data.records.filter((x) => x.skipped).map((x) => x.step)).toEqual(['es-data-2/terminate', 'es-master-2/terminate']);
    expect(seeded.estate.aws.sim.terminations).toHaveLength(2);
    expect(r.summary).toMatch(/Terminated instances.*\(es-data-2\).*\(es-master-2\)/s);
    expect(seeded.estate.es.cluster.observations).toMatchObject({ everRed: false, maxNodesOut: 1, lostDocs: 0 });
  }, 60_000);

  it('a replacement whose node never joins stops the job with a clear message after the approver chooses Abort', async () => {
    seeded = await seedEstate({ esKnobs: {} });
    seeded.estate.es.cluster.knobs.neverJoin.add('es-data-3');
    const deps = estateDeps(seeded.estate, { joinTimeout: 10 * 60_000 });
    const questions: string[] = [];
    const r = await runUpgrade({
      deps,
      clock: seeded.estate.clock,
      args: { nodes: ['es-data-3'] },
      decide: (id, q) => (questions.push(`${id}: ${q.action}`), false),
    });
    expect(r.outcome).toBe('stopped');
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatch(/^join-timeout-1: replacement i-\w+ \(10\.[\d.]+\) is running but its node has not joined the cluster — check its Elasticsearch log.* after 10m\. Keep waiting another 10m, or abort\?/);
    expect(r.detail).toMatch(/aborted by <@U0BOB>\. The cluster is one node short until the replacement joins/);
    expect(r.cleanup!.join('\n')).toMatch(/was terminated and its replacement has not joined yet/);
    expect(r.cleanup!.join('\n')).toMatch(/allocation exclusion restored to none/);
    expect(seeded.estate.aws.sim.terminations).toHaveLength(1);
    expect(seeded.estate.es.cluster.observations).toMatchObject({ everRed: false, lostDocs: 0 });
  }, 60_000);

  it('a replacement that fails to boot asks Keep waiting / Abort; keep waiting picks up the next launch and finishes', async () => {
    seeded = await seedEstate({ awsKnobs: { failBoot: 1 } });
    const deps = estateDeps(seeded.estate);
    const questions: string[] = [];
    const r = await runUpgrade({
      deps,
      clock: seeded.estate.clock,
      args: { nodes: ['es-data-1'] },
      decide: (id, q) => (questions.push(`${id}: ${q.action}`), true),
    });
    expect(r.outcome, r.detail).toBe('completed');
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatch(/^boot-failed-i-\w+: replacement instance i-\w+ for es-data-1 failed to boot: it is (shutting-down|terminated) and its node never joined/);
    const failed = r.data.state['node:es-data-1'] as { failedReplacements: string[]; replacement: { instanceId: string } };
    expect(failed.failedReplacements).toHaveLength(1);
    expect(failed.replacement.instanceId).not.toBe(failed.failedReplacements[0]);
    expect(seeded.estate.es.cluster.nodes().find((n) => n.name === 'es-data-1')?.version).toBe(TARGET);
  }, 60_000);

  it('a replacement that fails to boot, then Abort: the job stops and says so', async () => {
    seeded = await seedEstate({ awsKnobs: { failBoot: 5 } });
    const r = await runUpgrade({ deps: estateDeps(seeded.estate), clock: seeded.estate.clock, args: { nodes: ['es-data-1'] }, decide: () => false });
    expect(r.outcome).toBe('stopped');
    expect(r.detail).toMatch(/replacement i-\w+ for es-data-1 failed to boot .*aborted by <@U0BOB>\. Check the group's activity history/);
  }, 60_000);

  it('a dry run posts the plan and the predicates and changes nothing', async () => {
    seeded = await seedEstate();
    const r = await runUpgrade({ deps: estateDeps(seeded.estate), clock: seeded.estate.clock, args: { dryRun: true } });
    expect(r.outcome).toBe('completed');
    expect(r.data.records.map((x) => x.step)).toEqual(['plan']);
    expect(r.said.join('\n')).toMatch(/Upgrade plan\*: 9 of 9 nodes to replace[\s\S]*Safety predicates now/);
    expect(r.summary).toBe('Dry run: 9 nodes would be replaced; nothing was changed.');
    expect(seeded.estate.aws.sim.terminations).toHaveLength(0);
  }, 30_000);

  it('a cancel after the drain restores the allocation exclusion and leaves the cluster green with every node', async () => {
    seeded = await seedEstate();
    const deps = estateDeps(seeded.estate);
    const r = await runUpgrade({ deps, clock: seeded.estate.clock, crashAt: (step, phase) => step === 'es-data-1/drain' && phase === 'after' });
    expect(await deps.es.allocationSettings()).toMatchObject({ excludeName: 'es-data-1' });
    const { upgradeDefinition } = await import('../../../jobs/upgrade/definition');
    const lines = await upgradeDefinition.cleanup!({ deps, state: r.data.state, data: r.data } as never, 'cancelled');
    expect(lines[0]).toBe('allocation exclusion restored to none');
    expect(lines[1]).toMatch(/^cluster (green|yellow), 9 of 9 nodes/);
    expect(await deps.es.allocationSettings()).toMatchObject({ excludeName: null, enable: null });
    expect(seeded.estate.aws.sim.terminations).toHaveLength(0);
  }, 30_000);
});

describe('what the predicates prevent', () => {
  it('the same estate with every stale instance terminated at once (what CloudFormation did) goes red and loses documents', async () => {
    seeded = await seedEstate();
    const deps = estateDeps(seeded.estate);
    const [masters, data] = await deps.aws.groups([seeded.estate.groups.masters, seeded.estate.groups.data]);
    await Promise.all([...masters.instances, ...data.instances].map((i) => deps.aws.terminate(i.id, 'autoscaling')));
    await seeded.estate.clock.sleep(10 * 60_000);
    const obs = seeded.estate.es.cluster.observations;
    expect(obs.everRed).toBe(true);
    expect(obs.maxNodesOut).toBeGreaterThan(1);
    expect(obs.lostDocs).toBeGreaterThan(0);
  }, 30_000);
});
