import { describe, expect, it } from 'vitest';
import { buildPlan, formatPlan } from '../../../jobs/upgrade/plan';
import { awaitGreenStep } from '../../../jobs/upgrade/steps/await-green';
import { awaitLeaveStep } from '../../../jobs/upgrade/steps/await-leave';
import { awaitReplacementStep } from '../../../jobs/upgrade/steps/await-replacement';
import { drainStep } from '../../../jobs/upgrade/steps/drain-node';
import { reportStep } from '../../../jobs/upgrade/steps/report';
import { terminateApproval } from '../../../jobs/upgrade/steps/terminate-instance';
import { upgradeSummary } from '../../../jobs/upgrade/summary';
import type { ShardCopy } from '../../../jobs/upgrade/ports';
import { fakeCtx, fakeEstate, NINE } from './fake-estate';

const copy = (index: string, shard: number, primary: boolean, node?: string): ShardCopy => ({ index, shard, primary, node, state: node ? 'STARTED' : 'UNASSIGNED', bytes: 10 });

async function setup() {
  const e = fakeEstate(NINE);
  e.deps.settings.greenTimeout = 60_000;
  e.es.report = { ...e.es.report, status: 'yellow', unassigned: 1 };
  e.es.shardList = [copy('logstash-13', 0, true, 'es-data-1'), copy('logstash-13', 0, false)];
  const plan = await buildPlan(e.deps, {}, 0);
  return { ...e, plan };
}

const versionOnly = { index: 'logstash-13', shard: 0, primary: false, reason: 'INDEX_CREATED', noDecisions: [{ node: 'es-data-2', deciders: [{ decider: 'node_version', decision: 'NO', explanation: 'cannot allocate replica shard to a node with version [7.17.25] since this is older than the primary version [8.15.0]' }] }] };

describe('await-green', () => {
  it('continues after greenTimeout when the only unassigned shards are replicas held back by node_version, and says so', async () => {
    const { deps, es, plan } = await setup();
    es.explanations.set('logstash-13[0]', versionOnly);
    const { ctx, said } = fakeCtx(deps, { state: { plan } });
    const out = await awaitGreenStep(plan.nodes[0]).run(ctx);
    expect(out).toEqual({ done: 'cluster yellow, only version-held replicas unassigned (1)' });
    expect(said.join('\n')).toMatch(/green did not come within 1m, but the only unassigned shards are 1 replica that cannot go to older-version nodes \(node_version decider, e\.g\. logstash-13\[0\]\)/);
  });

  it('asks Keep waiting, then Continue / Abort, when something else keeps it yellow; Abort stops the job', async () => {
    const { deps, es, plan } = await setup();
    es.explanations.set('logstash-13[0]', { ...versionOnly, noDecisions: [{ node: 'es-data-2', deciders: [{ decider: 'disk_threshold', decision: 'NO', explanation: 'the node is above the high watermark cluster setting [90%]' }] }] });
    const { ctx, asked } = fakeCtx(deps, { state: { plan }, answers: { 'green-1': true, 'green-2': false, 'green-2-continue': false } });
    const out = await awaitGreenStep(plan.nodes[0]).run(ctx);
    expect(asked.map((q) => q.split(':')[0])).toEqual(['green-1', 'green-2', 'green-2-continue']);
    expect(asked[0]).toMatch(/cluster still yellow 1m after replacing es-data-1 .*1 unassigned\)\. Keep waiting another 1m\?/);
    expect(out).toMatchObject({ stop: expect.stringMatching(/did not recover after replacing es-data-1/) });
  });

  it('an approver may continue anyway: the step records that it went on without green', async () => {
    const { deps, es, plan } = await setup();
    es.shardList.push(copy('big', 0, true)); // an unassigned primary: never "only version replicas"
    es.report = { ...es.report, status: 'red' };
    const { ctx, state } = fakeCtx(deps, { state: { plan }, answers: { 'green-1': false, 'green-1-continue': true } });
    expect(await awaitGreenStep(plan.nodes[0]).run(ctx)).toEqual({ done: 'continued while red — approved' });
    expect(state['node:es-data-1']).toMatchObject({ greenNote: 'continued without green by an approver' });
  });

  it('a resumed wait keeps its deadline and gets the stored answer to the same question id', async () => {
    const { deps, es, plan } = await setup();
    es.explanations.set('logstash-13[0]', { ...versionOnly, noDecisions: [] });
    const first = fakeCtx(deps, { state: { plan } });
    await expect(awaitGreenStep(plan.nodes[0]).run(first.ctx)).rejects.toThrow(/unexpected question green-1/);
    const resumed = fakeCtx(deps, { state: first.state, answers: { 'green-1': false, 'green-1-continue': true } });
    expect(await awaitGreenStep(plan.nodes[0]).run(resumed.ctx)).toEqual({ done: 'continued while yellow — approved' });
    expect(resumed.asked[0]).toMatch(/^green-1:/);
  });
});

describe('await-replacement', () => {
  it('stops when the group launches an instance that is not tagged with the target version', async () => {
    const { deps, aws, plan } = await setup();
    aws.instanceList.push({ id: 'i-new', state: 'running', privateIp: '10.0.9.9', tags: { Version: '7.17.25' }, launchTime: 99 });
    aws.groupList[1].instances.push({ id: 'i-new', lifecycle: 'InService' });
    const { ctx } = fakeCtx(deps, { state: { plan } });
    expect(await awaitReplacementStep(plan.nodes[0]).run(ctx)).toMatchObject({
      stop: 'the group es-data launched i-new tagged Version=7.17.25, not 8.15.0: its launch template does not carry the target version. Fix the template; nothing more will be terminated',
    });
  });

  it('when the group launches nothing, asks after joinTimeout and names the group', async () => {
    const { deps, plan } = await setup();
    deps.settings.joinTimeout = 60_000;
    const { ctx, asked } = fakeCtx(deps, { state: { plan }, answers: { 'join-timeout-1': false } });
    expect(await awaitReplacementStep(plan.nodes[0]).run(ctx)).toMatchObject({ stop: expect.stringMatching(/the group es-data has launched no replacement for i-es-data-1/) });
    expect(asked).toHaveLength(1);
  });
});

describe('drain', () => {
  it('falls back to the restart procedure when the other data nodes lack the disk, and says why', async () => {
    const { deps, es, plan } = await setup();
    es.shardList = [copy('huge', 0, true, 'es-data-1'), copy('huge', 0, false, 'es-data-2')];
    es.shardList[0].bytes = 2 ** 40;
    const { ctx, said } = fakeCtx(deps, { state: { plan } });
    const out = await drainStep(plan.nodes[0]).run(ctx);
    expect(out).toMatchObject({ done: expect.stringMatching(/^replica allocation set to primaries and the cluster flushed \(the other data nodes lack the room: its shards need 1024\.0 GB, the other data nodes have 400\.0 GB free/) });
    // Still excluded, so that no new shard (the next hourly index) lands on a node about to go.
    expect(es.settings).toMatchObject({ enable: 'primaries', excludeName: 'es-data-1' });
    expect(said.join('\n')).toMatch(/Falling back to Elastic's rolling-restart procedure.*`es-data-1` stays excluded from allocation/);
    expect(ctx.state.savedAllocation).toEqual({ excludeName: null, enable: null });
  });

  it('keeps an operator’s own exclusion and adds the node to it; the saved value is the operator’s', async () => {
    const { deps, es, plan } = await setup();
    es.settings.excludeName = 'es-old-1';
    es.shardList = [];
    const { ctx } = fakeCtx(deps, { state: { plan } });
    await drainStep(plan.nodes[0]).run(ctx);
    expect(es.settings.excludeName).toBe('es-old-1,es-data-1');
    expect(ctx.state.savedAllocation).toEqual({ excludeName: 'es-old-1', enable: null });
  });
});

describe('one shard is "1 shard"', () => {
  it('in the plan, the drain\'s progress line and result, and the termination question', async () => {
    const { deps, es, plan } = await setup();
    expect(plan.nodes[0]).toMatchObject({ name: 'es-data-1', shards: 1 });
    expect(formatPlan(plan)).toMatch(/`es-data-1` .* · 1 shard, 0\.0 GB · ~/);
    expect(terminateApproval(plan.nodes[0]).details?.Node).toMatch(/ · 1 shard$/);
    // The room check and the first poll see the shard relocating off es-data-1; the next poll sees it moved.
    const moving: ShardCopy = { ...es.shardList[0], state: 'RELOCATING' };
    let reads = 0;
    es.shards = async () => (reads++ < 2 ? [moving] : [{ ...moving, node: 'es-data-2', state: 'STARTED' }]);
    const { ctx, said } = fakeCtx(deps, { state: { plan } });
    expect(await drainStep(plan.nodes[0]).run(ctx)).toMatchObject({ done: '1 shard moved to the other data nodes; es-data-1 holds none' });
    expect(said).toContain('es-data-1: 1 shard still to move');
  });
});

describe('summary', () => {
  it('labels its durations as cluster time when that clock is accelerated, and leaves them plain when it is not', async () => {
    const { deps, plan } = await setup();
    const node = plan.nodes[0];
    const { ctx } = fakeCtx(deps, { state: { plan: { ...plan, nodes: [node] }, [`node:${node.name}`]: { replacement: { instanceId: 'i-new', node: node.name } } } });
    const rec = (step: string, startedAt: number, finishedAt: number) => ({ step: `${node.name}/${step}`, label: step, startedAt, finishedAt, summary: '' });
    const data = { ...ctx.data, records: [rec('drain', 0, 60_000), rec('terminate', 60_000, 61_000), rec('await-green', 61_000, 240_000)] };
    expect(upgradeSummary(data, 150).text.split('\n').slice(0, 2)).toEqual([
      'Upgrade of prod to 8.15.0: 1 node replaced in 4m cluster time, 150× real time',
      '• `es-data-1` i-es-data-1 → i-new: 4m cluster time, 150× real time',
    ]);
    expect(upgradeSummary(data).text.split('\n').slice(0, 2)).toEqual(['Upgrade of prod to 8.15.0: 1 node replaced in 4m', '• `es-data-1` i-es-data-1 → i-new: 4m']);
  });
});

describe('report', () => {
  it('checks the replacements run the target and posts the summary (with every terminated instance) to the webhook', async () => {
    const { deps, es, plan } = await setup();
    const posted: unknown[] = [];
    deps.postSummary = async (body) => void posted.push(body);
    const node = plan.nodes[0];
    es.nodeList.push({ id: 'new-id', name: node.name, ip: '10.0.9.1', version: '8.15.0', roles: node.roles, attributes: {} });
    const only = { ...plan, nodes: [node] };
    const { ctx } = fakeCtx(deps, {
      state: { plan: only, [`node:${node.name}`]: { replacement: { instanceId: 'i-new', node: node.name, nodeId: 'new-id' } }, terminated: [{ instanceId: node.instanceId, name: node.name, node: node.name, at: 1 }] },
    });
    expect(await reportStep().run(ctx)).toEqual({ done: 'every replaced node runs its target version (1 node); summary posted to the webhook' });
    expect(posted).toEqual([expect.objectContaining({ cluster: 'prod', target: '8.15.0', terminated: [{ instanceId: node.instanceId, name: node.name, node: node.name }] })]);
    es.nodeList.at(-1)!.version = '7.17.25';
    deps.postSummary = async () => {
      throw new Error('webhook answered HTTP 500');
    };
    expect(await reportStep().run(ctx)).toEqual({ stop: 'replaced nodes not at the target: es-data-1 (runs 7.17.25); ⚠️ the summary webhook failed: webhook answered HTTP 500', reason: 'failed' });
  });
});

describe('wait steps check before they wait', () => {
  it('await-leave, resumed after the node left and its replacement joined, finishes without a long poll', async () => {
    const { deps, es, plan } = await setup();
    const polls: unknown[] = [];
    const health = es.health.bind(es);
    es.health = async (wait?: unknown) => (wait && polls.push(wait), health());
    es.nodeList = es.nodeList.map((n) => (n.name === 'es-data-1' ? { ...n, id: 'id-replacement' } : n));
    const { ctx } = fakeCtx(deps, { state: { plan } });
    expect(await awaitLeaveStep(plan.nodes[0]).run(ctx)).toMatchObject({ done: expect.stringMatching(/^es-data-1 left; 9 of 9 nodes/) });
    expect(polls).toEqual([]);
  });

  it('await-green finds the cluster green without a long poll', async () => {
    const { deps, es, plan } = await setup();
    es.report = { ...es.report, status: 'green', unassigned: 0 };
    const polls: unknown[] = [];
    const health = es.health.bind(es);
    es.health = async (wait?: unknown) => (wait && polls.push(wait), health());
    const { ctx } = fakeCtx(deps, { state: { plan } });
    expect(await awaitGreenStep(plan.nodes[0]).run(ctx)).toMatchObject({ done: 'cluster green' });
    expect(polls).toEqual([]);
  });
});
