import { describe, expect, it } from 'vitest';
import { orderNodes } from '../../../jobs/upgrade/node-order';
import { buildPlan, formatPlan } from '../../../jobs/upgrade/plan';
import { upgradeDefinition } from '../../../jobs/upgrade/definition';
import { fakeEstate, NINE } from './fake-estate';

const TIERED = [
  { name: 'es-master-1', roles: ['master'] },
  { name: 'es-master-2', roles: ['master'] },
  { name: 'es-master-3', roles: ['master'] },
  { name: 'hot-2', roles: ['data_hot', 'data_content'] },
  { name: 'hot-1', roles: ['data_hot', 'data_content'] },
  { name: 'warm-1', roles: ['data_warm'] },
  { name: 'cold-1', roles: ['data_cold'] },
  { name: 'frozen-1', roles: ['data_frozen'] },
  { name: 'plain-1', roles: ['data', 'ingest'] },
  { name: 'ingest-1', roles: ['ingest'] },
];

describe('upgrade order', () => {
  it('replaces data tiers frozen → cold → warm → hot → plain, then other nodes, then masters with the elected one last', () => {
    const names = orderNodes(TIERED, 'data-first', 'es-master-1').map((n) => n.name);
    expect(names).toEqual(['frozen-1', 'cold-1', 'warm-1', 'hot-1', 'hot-2', 'plain-1', 'ingest-1', 'es-master-2', 'es-master-3', 'es-master-1']);
  });

  it('puts masters first when asked, keeping the tier order for the rest', () => {
    const names = orderNodes(TIERED, 'masters-first', 'es-master-2').map((n) => n.name);
    expect(names).toEqual(['es-master-1', 'es-master-3', 'es-master-2', 'frozen-1', 'cold-1', 'warm-1', 'hot-1', 'hot-2', 'plain-1', 'ingest-1']);
  });

  it('treats a master-eligible data node as a master: it goes last', () => {
    const names = orderNodes([{ name: 'md', roles: ['master', 'data'] }, { name: 'd', roles: ['data'] }], 'data-first').map((n) => n.name);
    expect(names).toEqual(['d', 'md']);
  });
});

describe('buildPlan', () => {
  it('maps nodes to instances, reads the target from the launch template and says why this order', async () => {
    const { deps } = fakeEstate(NINE);
    const plan = await buildPlan(deps, {}, 0);
    expect(plan.nodes.map((n) => n.name)).toEqual(['es-data-1', 'es-data-2', 'es-data-3', 'es-data-4', 'es-data-5', 'es-data-6', 'es-master-2', 'es-master-3', 'es-master-1']);
    expect(plan.nodes[0]).toMatchObject({ instanceId: 'i-es-data-1', group: 'es-data', version: '7.17.25', target: '8.15.0', kind: 'data' });
    expect(plan.expectedNodes).toBe(9);
    expect(plan.masterNodes).toBe(3);
    const text = formatPlan(plan);
    expect(text).toContain('es-data-1` data · i-es-data-1 · 7.17.25 → 8.15.0');
    expect(text).toMatch(/master-eligible nodes last.*older node cannot always join/);
    expect(text).toMatch(/estimated/);
    // The estimate is cluster time: labelled so when that clock is accelerated (the sandbox), plain otherwise.
    expect(text).not.toMatch(/cluster time/);
    expect(formatPlan(plan, 150)).toMatch(/one at a time · estimated [^\n]+ cluster time, 150× real time\n/);
  });

  it('skips nodes already at the target and honours --only, --node and --target', async () => {
    const { deps, aws } = fakeEstate(NINE);
    aws.instanceList.find((i) => i.id === 'i-es-data-2')!.tags.Version = '8.15.0';
    expect((await buildPlan(deps, {}, 0)).skipped).toContainEqual({ name: 'es-data-2', reason: 'already at 8.15.0' });
    expect((await buildPlan(deps, { only: 'masters' }, 0)).nodes.map((n) => n.kind)).toEqual(['master', 'master', 'master']);
    expect((await buildPlan(deps, { only: 'data' }, 0)).nodes).toHaveLength(5);
    expect((await buildPlan(deps, { nodes: ['es-data-4'] }, 0)).nodes.map((n) => n.name)).toEqual(['es-data-4']);
    const pinned = await buildPlan(deps, { target: '7.17.25' }, 0);
    expect(pinned.nodes.map((n) => n.name)).toEqual(['es-data-2']);
    await expect(buildPlan(deps, { nodes: ['es-data-42'] }, 0)).rejects.toThrow(/no node named es-data-42.*nodes: /);
  });

  it('refuses to plan when an instance of a group has no node (a node is already out)', async () => {
    const { deps, es } = fakeEstate(NINE);
    es.nodeList = es.nodeList.filter((n) => n.name !== 'es-data-3');
    await expect(buildPlan(deps, {}, 0)).rejects.toThrow(/i-es-data-3 \(es-data-3\).*has no node in the cluster by private IP/);
  });

  it('refuses when the launch template carries no version tag, and says to pass --target', async () => {
    const { deps, aws } = fakeEstate(NINE);
    aws.templateVersion = undefined as unknown as string;
    await expect(buildPlan(deps, {}, 0)).rejects.toThrow(/no Version tag.*--target/);
    expect((await buildPlan(deps, { target: '8.15.0' }, 0)).nodes).toHaveLength(9);
  });

  it('maps by Name tag and by node attribute as configured', async () => {
    const { deps, es } = fakeEstate(NINE);
    for (const n of es.nodeList) n.ip = '0.0.0.0';
    await expect(buildPlan(deps, {}, 0)).rejects.toThrow(/no node/);
    deps.settings.nodeMapping = { by: 'name-tag', tag: 'Name' };
    expect((await buildPlan(deps, {}, 0)).nodes).toHaveLength(9);
    for (const n of es.nodeList) n.attributes.instance_id = `i-${n.name}`;
    deps.settings.nodeMapping = { by: 'node-attribute', attribute: 'instance_id' };
    expect((await buildPlan(deps, {}, 0)).nodes).toHaveLength(9);
  });

  it('derives one step list per node from the recorded plan; a dry run has only the plan step', async () => {
    const { deps } = fakeEstate(NINE);
    const plan = await buildPlan(deps, {}, 0);
    const data = { args: {}, state: { plan } } as never;
    const names = upgradeDefinition.steps(data).map((s) => s.name);
    expect(names.slice(0, 7)).toEqual(['plan', 'es-data-1/drain', 'es-data-1/terminate', 'es-data-1/await-leave', 'es-data-1/await-replacement', 'es-data-1/restore', 'es-data-1/await-green']);
    expect(names).toContain('es-master-1/terminate');
    expect(names).not.toContain('es-master-1/drain');
    expect(names.at(-1)).toBe('report');
    expect(upgradeDefinition.steps({ args: { dryRun: true }, state: { plan } } as never).map((s) => s.name)).toEqual(['plan']);
    const terminate = upgradeDefinition.steps(data).find((s) => s.name === 'es-data-1/terminate')!;
    expect(terminate.destructive).toBe(true);
    expect(terminate.predicates!.map((p) => p.name).sort()).toEqual([
      'all_masters_present_and_elected',
      'asg_will_replace',
      'cluster_green_or_only_expected_replicas_unassigned',
      'every_shard_on_node_has_a_started_copy_elsewhere',
      'instance_version_unchanged',
      'no_other_node_out',
      'no_primary_unassigned',
      'no_shard_moving_to_or_from_node',
    ]);
    // A dedicated master is gated on the masters, not on shard movement; its vote is withdrawn in a step of its own.
    const masterSteps = upgradeDefinition.steps(data).filter((s) => s.name.startsWith('es-master-1/')).map((s) => s.name);
    expect(masterSteps.slice(0, 2)).toEqual(['es-master-1/withdraw-vote', 'es-master-1/terminate']);
    const masterTerminate = upgradeDefinition.steps(data).find((s) => s.name === 'es-master-1/terminate')!;
    expect(masterTerminate.predicates!.map((p) => p.name).sort()).toEqual(['all_masters_present_and_elected', 'asg_will_replace', 'instance_version_unchanged', 'no_other_node_out', 'no_primary_unassigned']);
  });
});
