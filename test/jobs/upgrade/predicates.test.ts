import { beforeEach, describe, expect, it } from 'vitest';
import { buildPlan, type Plan } from '../../../jobs/upgrade/plan';
import {
  allMastersPresentAndElected,
  asgWillReplace,
  clusterGreenOrOnlyExpectedReplicasUnassigned,
  everyShardOnNodeHasAStartedCopyElsewhere,
  instanceVersionUnchanged,
  noOtherNodeOut,
  noPrimaryUnassigned,
  noShardMovingToOrFromNode,
  terminatePredicates,
} from '../../../jobs/upgrade/predicates';
import type { ShardCopy } from '../../../jobs/upgrade/ports';
import { fakeCtx, fakeEstate, NINE } from './fake-estate';

const copy = (index: string, shard: number, primary: boolean, node: string | undefined, state = node ? 'STARTED' : 'UNASSIGNED'): ShardCopy => ({ index, shard, primary, node, state, bytes: 1000 });

let estate: ReturnType<typeof fakeEstate>;
let plan: Plan;
const node = () => plan.nodes[0]; // es-data-1

beforeEach(async () => {
  estate = fakeEstate(NINE);
  estate.es.shardList = [copy('logs-1', 0, true, 'es-data-1'), copy('logs-1', 0, false, 'es-data-2'), copy('logs-1', 1, true, 'es-data-3'), copy('logs-1', 1, false, 'es-data-1')];
  plan = await buildPlan(estate.deps, {}, 0);
});

const check = (p: { check: (c: never) => Promise<{ ok: boolean; reason?: string }> }, state: Record<string, unknown> = {}) => p.check(fakeCtx(estate.deps, { state: { plan, ...state } }).ctx as never);

describe('safety predicates: each passes on a healthy estate and blocks, with figures, in its scenario', () => {
  it('all pass on the healthy estate', async () => {
    for (const p of terminatePredicates(node())) expect(await check(p), p.name).toEqual({ ok: true });
  });

  it('cluster_green_or_only_expected_replicas_unassigned: passes when yellow only through node_version, blocks otherwise', async () => {
    const p = clusterGreenOrOnlyExpectedReplicasUnassigned();
    estate.es.report = { ...estate.es.report, status: 'yellow', unassigned: 1 };
    estate.es.shardList.push(copy('logs-2', 0, true, 'es-data-6'), copy('logs-2', 0, false, undefined));
    estate.es.explanations.set('logs-2[0]', {
      index: 'logs-2',
      shard: 0,
      primary: false,
      reason: 'INDEX_CREATED',
      canAllocate: 'no',
      noDecisions: [
        { node: 'es-data-6', deciders: [{ decider: 'same_shard', decision: 'NO', explanation: 'a copy is already here' }] },
        { node: 'es-data-2', deciders: [{ decider: 'node_version', decision: 'NO', explanation: 'cannot allocate replica shard to a node with version [7.17.25] since this is older than the primary version [8.15.0]' }] },
      ],
    });
    expect(await check(p)).toEqual({ ok: true });
    estate.es.explanations.get('logs-2[0]')!.noDecisions.push({ node: 'es-data-3', deciders: [{ decider: 'disk_threshold', decision: 'NO', explanation: 'the node is above the high watermark' }] });
    const r = await check(p);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/cluster is yellow with 1 unassigned shards: logs-2\[0\] replica unassigned \(INDEX_CREATED\): disk_threshold on es-data-3/);
    estate.es.report = { ...estate.es.report, status: 'red', unassigned: 2 };
    estate.es.shardList.push(copy('logs-3', 0, true, undefined));
    expect((await check(p)).reason).toMatch(/cluster is red.*logs-3\[0\] primary unassigned/);
  });

  describe('a replica held back by enable=primaries', () => {
    const enableNo = { decider: 'enable', decision: 'NO', explanation: 'replica allocations are forbidden due to cluster setting [cluster.routing.allocation.enable=primaries]' };
    beforeEach(() => {
      estate.es.report = { ...estate.es.report, status: 'yellow', unassigned: 1 };
      estate.es.settings.enable = 'primaries';
      estate.es.shardList.push(copy('logstash-10', 0, true, 'es-data-2'), copy('logstash-10', 0, false, undefined));
      estate.es.explanations.set('logstash-10[0]', {
        index: 'logstash-10',
        shard: 0,
        primary: false,
        reason: 'INDEX_CREATED',
        canAllocate: 'no',
        noDecisions: ['es-data-2', 'es-data-3'].map((n) => ({ node: n, deciders: n === 'es-data-2' ? [{ decider: 'same_shard', decision: 'NO', explanation: 'here' }, enableNo] : [enableNo] })),
      });
    });
    const jobFellBack = { savedAllocation: { excludeName: null, enable: null }, 'node:es-data-1': { drainMode: 'restart' } };

    it('is expected when the job set it for the drain of the node being replaced', async () => {
      expect(await check(clusterGreenOrOnlyExpectedReplicasUnassigned(), jobFellBack)).toEqual({ ok: true });
    });

    it('blocks when the operator set it, and when something else holds it too, saying the job is involved', async () => {
      const r = await check(clusterGreenOrOnlyExpectedReplicasUnassigned());
      expect(r.reason).toMatch(/logstash-10\[0\] replica unassigned \(INDEX_CREATED\): enable on es-data-2: replica allocations are forbidden/);
      expect(r.reason).not.toMatch(/this job's own/);
      estate.es.explanations.get('logstash-10[0]')!.noDecisions.push({ node: 'es-data-4', deciders: [{ decider: 'disk_threshold', decision: 'NO', explanation: 'above the high watermark' }] });
      const mixed = await check(clusterGreenOrOnlyExpectedReplicasUnassigned(), jobFellBack);
      expect(mixed.ok).toBe(false);
      expect(mixed.reason).toMatch(/disk_threshold on es-data-4: above the high watermark — also held back by this job's own `cluster.routing.allocation.enable=primaries` \(set for the drain of es-data-1\)/);
    });

    it('is not excused once the job restored the setting (someone else put it back)', async () => {
      const restored = { ...jobFellBack, 'node:es-data-1': { drainMode: 'restart', restored: true } };
      expect((await check(clusterGreenOrOnlyExpectedReplicasUnassigned(), restored)).ok).toBe(false);
    });
  });

  it('no_shard_moving_to_or_from_node: only copies on the node count, arriving or leaving; movement elsewhere does not', async () => {
    const p = noShardMovingToOrFromNode(node());
    estate.es.shardList.push({ ...copy('other', 0, true, 'es-data-3', 'RELOCATING'), relocatingTo: 'es-data-4' }, copy('other', 1, false, 'es-data-5', 'INITIALIZING'));
    expect(await check(p)).toEqual({ ok: true });
    estate.es.shardList.push({ ...copy('in', 0, true, 'es-data-2', 'RELOCATING'), relocatingTo: 'es-data-1' });
    expect((await check(p)).reason).toBe('1 shard copies moving on es-data-1: in[0] relocating to it from es-data-2');
    estate.es.shardList[3].state = 'RELOCATING';
    estate.es.shardList[3].relocatingTo = 'es-data-6';
    expect((await check(p)).reason).toMatch(/^2 shard copies moving on es-data-1: logs-1\[1\] relocating from it to es-data-6, in\[0\]/);
  });

  it('no_primary_unassigned names the missing primaries', async () => {
    expect(await check(noPrimaryUnassigned())).toEqual({ ok: true });
    estate.es.shardList.push({ ...copy('gone', 2, true, undefined), unassignedReason: 'NODE_LEFT' });
    expect((await check(noPrimaryUnassigned())).reason).toMatch(/^1 primary shards unassigned: gone\[2\] \(NODE_LEFT\)/);
  });

  it('all_masters_present_and_elected: blocks on a missing master, no elected master, or a leftover voting exclusion', async () => {
    const p = allMastersPresentAndElected(node());
    estate.es.exclusions = ['es-master-2'];
    expect((await check(p)).reason).toMatch(/^voting configuration exclusion in place for es-master-2, which is still in the cluster, and not made by this job for es-data-1: clear it/);
    estate.es.exclusionsUnknown = 'the cluster state has no readable voting_config_exclusions';
    expect((await check(p)).reason).toBe('the voting configuration exclusions are unknown: the cluster state has no readable voting_config_exclusions');
    estate.es.exclusionsUnknown = undefined;
    estate.es.exclusions = [];
    estate.es.master = undefined;
    expect((await check(p)).reason).toBe('no elected master (3 master-eligible nodes present)');
    estate.es.master = 'es-master-1';
    estate.es.nodeList = estate.es.nodeList.filter((n) => n.name !== 'es-master-3');
    expect((await check(p)).reason).toBe('2 of 3 master-eligible nodes present (es-master-1, es-master-2)');
  });

  it('every_shard_on_node_has_a_started_copy_elsewhere: blocks when the node holds the only started copy', async () => {
    const p = everyShardOnNodeHasAStartedCopyElsewhere(node());
    estate.es.shardList[1].state = 'INITIALIZING'; // logs-1[0]'s replica is still copying
    expect((await check(p)).reason).toMatch(/^es-data-1 holds the only started copy of 1 shard: logs-1\[0\] \(primary, 1 other copy not started\); add a replica/);
    estate.es.shardList[1].state = 'STARTED';
    estate.es.shardList.push(copy('single', 0, true, 'es-data-1'));
    expect((await check(p)).reason).toMatch(/^es-data-1 holds the only started copy of 1 shard: single\[0\] \(primary, no replica configured\)/);
  });

  it('no_other_node_out: blocks when the cluster is a node short, or the node itself is gone', async () => {
    estate.es.nodeList = estate.es.nodeList.filter((n) => n.name !== 'es-data-5');
    expect((await check(noOtherNodeOut(node()))).reason).toBe('8 of 9 nodes in the cluster: another node is out, taking es-data-1 away would make two');
    estate.es.nodeList = estate.es.nodeList.filter((n) => n.name !== 'es-data-1');
    expect((await check(noOtherNodeOut(node()))).reason).toMatch(/es-data-1 is not in the cluster any more/);
  });

  it('asg_will_replace: blocks when Launch is suspended, capacity changed, or the group is mid-replacement', async () => {
    const p = asgWillReplace(node());
    const g = estate.aws.groupList[1];
    g.suspendedProcesses = ['Launch'];
    expect((await check(p)).reason).toBe('the Launch process of es-data is suspended: no replacement would start');
    g.suspendedProcesses = [];
    g.desiredCapacity = 5;
    expect((await check(p)).reason).toBe('es-data desired capacity is 5, the plan saw 6');
    g.desiredCapacity = 6;
    g.instances[2].lifecycle = 'Pending';
    expect((await check(p)).reason).toMatch(/5 of 6 instances in service \(i-es-data-3 Pending\)/);
  });

  it('instance_version_unchanged: blocks when the instance was re-tagged or is gone', async () => {
    const p = instanceVersionUnchanged(node());
    estate.aws.instanceList[3].tags.Version = '8.15.0';
    expect((await check(p)).reason).toBe('instance i-es-data-1 is tagged Version=8.15.0, the plan saw 7.17.25; plan again');
    estate.aws.instanceList[3].state = 'stopped';
    expect((await check(p)).reason).toBe('instance i-es-data-1 is stopped');
  });

});
