import { afterEach, describe, expect, it } from 'vitest';
import { nodeSpec, startSim, type SimHarness, responseError } from './sim-harness';

let h: SimHarness;
afterEach(async () => h?.close());


describe('Elasticsearch simulator: cluster behaviour', () => {
  it('starts green, answers GET / with the serving node version and lists nodes', async () => {
    h = await startSim();
    h.cluster.createIndex('logs', { shards: 2, replicas: 1, docs: 100 });
    const health = await h.client.cluster.health();
    expect(health).toMatchObject({ status: 'green', number_of_nodes: 3, active_primary_shards: 2 + 3, unassigned_primary_shards: 0 });
    const info = await h.client.info();
    expect(info.version.number).toBe('8.15.0');
    expect(info.tagline).toBe('You Know, for Search');
    const nodes = await h.client.cat.nodes({ format: 'json', h: 'name,ip,master,node.role,version' });
    expect(nodes).toHaveLength(3);
    expect(nodes.filter((n) => n.master === '*')).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ name: 'es-1', ip: '10.0.0.11', 'node.role': 'dm', version: '8.15.0' });
    expect((await h.client.count({ index: 'logs' })).count).toBe(100);
  });

  it('a node leaving makes replicas unassigned with NODE_LEFT (yellow), a replacement brings it back to green', async () => {
    h = await startSim({ knobs: { recoveryBytesPerSec: 5 * 1024 * 1024 } });
    h.cluster.createIndex('logs', { shards: 3, replicas: 1, docs: 3000, settings: { 'index.unassigned.node_left.delayed_timeout': '30s' } });
    h.cluster.stopNode('es-3');
    const health = await h.client.cluster.health();
    expect(health.status).toBe('yellow');
    expect(health.unassigned_shards).toBeGreaterThan(0);
    expect(health.delayed_unassigned_shards).toBeGreaterThan(0);
    const shards = await h.client.cat.shards({ index: 'logs', format: 'json', h: 'index,shard,prirep,state,node,unassigned.reason' });
    expect(shards.some((s) => s.state === 'UNASSIGNED' && s['unassigned.reason'] === 'NODE_LEFT' && s.node === null)).toBe(true);
    expect(h.cluster.observations).toMatchObject({ everRed: false, lostDocs: 0, maxNodesOut: 1 });
    h.cluster.startNode(nodeSpec(4));
    const green = await h.client.cluster.health({ wait_for_status: 'green', timeout: '5m' });
    expect(green).toMatchObject({ status: 'green', number_of_nodes: 3, timed_out: false });
    expect(h.cluster.observations.nodesOutNow).toBe(0);
    expect(h.cluster.trueDocCount('logs')).toBe(3000);
  });

  it('losing every copy of a shard turns the index red and destroys its documents', async () => {
    h = await startSim();
    h.cluster.createIndex('fragile', { shards: 3, replicas: 0, docs: 300 });
    const victim = (await h.client.cat.shards({ index: 'fragile', format: 'json', h: 'node' }))[0].node!;
    h.cluster.stopNode(victim);
    expect((await h.client.cluster.health({ index: 'fragile' })).status).toBe('red');
    expect(h.cluster.observations.everRed).toBe(true);
    expect(h.cluster.observations.lostDocs).toBeGreaterThan(0);
    expect(h.cluster.trueDocCount('fragile')).toBe(300 - h.cluster.observations.lostDocs);
    const explain = await h.client.cluster.allocationExplain({ index: 'fragile', shard: 0, primary: true }).catch(() => undefined);
    if (explain?.current_state === 'unassigned') expect(explain.can_allocate).toBe('no_valid_shard_copy');
  });

  it('cluster.routing.allocation.exclude._name drains a node by relocation', async () => {
    h = await startSim({ nodes: [nodeSpec(1), nodeSpec(2), nodeSpec(3), nodeSpec(4)], knobs: { recoveryBytesPerSec: 2 * 1024 * 1024 } });
    h.cluster.createIndex('logs', { shards: 4, replicas: 1, docs: 4000, bytesPerDoc: 50_000 });
    const drained = (await h.client.cat.shards({ index: 'logs', format: 'json', h: 'node' }))[0].node!;
    await h.client.cluster.putSettings({ persistent: { 'cluster.routing.allocation.exclude._name': drained } });
    const during = await h.client.cat.shards({ format: 'json', h: 'state' });
    expect(during.some((s) => s.state === 'RELOCATING')).toBe(true);
    const done = await h.client.cluster.health({ wait_for_no_relocating_shards: true, wait_for_status: 'green', timeout: '5m' });
    expect(done.relocating_shards).toBe(0);
    const shards = await h.client.cat.shards({ format: 'json', h: 'node' });
    expect(shards.filter((s) => s.node === drained)).toHaveLength(0);
    const settings = await h.client.cluster.getSettings({ flat_settings: true });
    expect(settings.persistent).toEqual({ 'cluster.routing.allocation.exclude._name': drained });
  });

  it('explains a replica the node_version decider keeps off an older node, in each version wording', async () => {
    h = await startSim({ nodes: [nodeSpec(1)] });
    h.cluster.createIndex('mixed', { shards: 1, replicas: 1, docs: 10 });
    h.cluster.seedNode(nodeSpec(2, { version: '7.17.25' }));
    const explanations = [];
    for (let i = 0; i < 2; i++) explanations.push(await h.client.cluster.allocationExplain({ index: 'mixed', shard: 0, primary: false }));
    const by8 = explanations.find((e) => e.allocate_explanation?.startsWith('Elasticsearch'))!;
    const by7 = explanations.find((e) => e.allocate_explanation?.startsWith('cannot allocate'))!;
    expect(by8).toMatchObject({ index: 'mixed', shard: 0, primary: false, current_state: 'unassigned', can_allocate: 'no' });
    expect((await h.client.cluster.allocationExplain()).note ?? 'no note on 7.17').toMatch(/No shard was specified|no note/);
    expect(by7.allocate_explanation).toBe('cannot allocate because allocation is not permitted to any of the nodes');
    const old = by8.node_allocation_decisions!.find((d) => d.node_name === 'es-2')!;
    expect(old.node_decision).toBe('no');
    expect(old.deciders).toContainEqual({
      decider: 'node_version',
      decision: 'NO',
      explanation: 'cannot allocate replica shard to a node with version [7.17.25] since this is older than the primary version [8.15.0]',
    });
    const same = by8.node_allocation_decisions!.find((d) => d.node_name === 'es-1')!;
    expect(same.deciders!.map((d) => d.decider)).toContain('same_shard');
  });

  it('losing quorum leaves no master: 503 master_not_discovered_exception; quorum back elects one', async () => {
    h = await startSim();
    h.cluster.stopNode('es-1');
    h.cluster.stopNode('es-2');
    const err = await responseError(h.client.cluster.health({ master_timeout: '5s' }));
    expect(err.statusCode).toBe(503);
    expect(err.body).toMatchObject({ error: { type: 'master_not_discovered_exception' }, status: 503 });
    h.cluster.startNode(nodeSpec(1));
    const back = await h.client.cluster.health({ wait_for_nodes: '>=2', timeout: '30s' });
    expect(back.number_of_nodes).toBe(2);
    expect(h.cluster.nodes().find((n) => n.isMaster)).toBeDefined();
  });

  it('voting config exclusions make an excluded master step down', async () => {
    h = await startSim();
    const master = h.cluster.nodes().find((n) => n.isMaster)!;
    await h.client.cluster.postVotingConfigExclusions({ node_names: master.name });
    expect(h.cluster.votingConfig.has(master.name)).toBe(false);
    expect(h.cluster.nodes().find((n) => n.isMaster)?.name).not.toBe(master.name);
    h.cluster.stopNode(master.name);
    await h.client.cluster.deleteVotingConfigExclusions();
    expect(h.cluster.exclusions).toHaveLength(0);
  });

  it('health long poll: 408 with the full body and timed_out when the condition never holds, prompt when it does', async () => {
    h = await startSim();
    const err = await responseError(h.client.cluster.health({ wait_for_nodes: '>=5', timeout: '10s' }));
    expect(err.statusCode).toBe(408);
    expect(err.body).toMatchObject({ cluster_name: 'elk-sim', status: 'green', timed_out: true, number_of_nodes: 3, unassigned_primary_shards: 0 });
    h.cluster.startNode(nodeSpec(4));
    h.cluster.startNode(nodeSpec(5));
    const started = Date.now();
    const ok = await h.client.cluster.health({ wait_for_nodes: '5', timeout: '60s' });
    expect(ok.number_of_nodes).toBe(5);
    // join delay is 2 s of clock = 20 ms real at speed 100, plus the wake-up
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('refuses compatible-with=9 on an 8.x node with media_type_header_exception', async () => {
    h = await startSim();
    const res = await fetch(`${h.url}/_cluster/health`, {
      headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=9' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = await res.json();
    expect(body.error.root_cause[0]).toEqual({ type: 'media_type_header_exception', reason: 'Invalid media-type value on headers [Accept, Content-Type]' });
    expect(body.error.caused_by.reason).toBe(
      'Accept version must be either version 8 or 7, but found 9. Accept=application/vnd.elasticsearch+json; compatible-with=9',
    );
    const ok = await fetch(`${h.url}/`, { headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=7' } });
    expect(ok.headers.get('content-type')).toBe('application/vnd.elasticsearch+json;compatible-with=7');
  });

  it('injects faults and renders _cat text with headers', async () => {
    h = await startSim();
    h.cluster.createIndex('logs', { shards: 1, replicas: 1, docs: 5 });
    h.cluster.knobs.faults.push({ path: /^\/_cat\/indices/, status: 503, times: 1 });
    expect((await responseError(h.client.cat.indices({ format: 'json' }))).statusCode).toBe(503);
    const text = await (await fetch(`${h.url}/_cat/indices/logs?v&h=health,index,docs.count`)).text();
    expect(text.split('\n')[0]).toMatch(/^health\s+index\s+docs.count$/);
    expect(text.split('\n')[1]).toMatch(/^green\s+logs\s+5$/);
  });
});
