/**
 * The denominator of the upgrade-overhead bench: the rolling replacement done the way Elastic documents it,
 * straight through, by a script — no Slack, no approvals, no predicates, tight polls, one node at a time.
 *
 * Per data node, Elastic's procedure for taking a node away for good (its EBS disk goes with the instance, so a
 * restart-style "disable replica allocation and wait" would leave single copies): exclude it with allocation
 * filtering, wait until it holds no shard, terminate the instance in its group (desired capacity kept), wait
 * for it to leave and for the replacement to join, lift the exclusion, wait for the cluster to settle (green, or
 * yellow with only replicas unassigned: the mixed-version case). Masters: voting exclusion, wait for another
 * elected master, terminate, leave, join, clear the exclusion, settle. Data nodes first, the elected master last.
 *
 * It speaks to the estate only through the official clients, as a person's script would, and knows nothing of
 * elk-ops' code: if elk-ops and this script share a bug, they do not share it by construction.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Client } from '@elastic/elasticsearch';
import type { Estate } from '../sim/estate';

interface CatNode {
  name: string;
  ip: string;
  'node.role': string;
  master: string;
}

export interface ReferenceResult {
  clockMs: number;
  nodes: number;
  /** Clock ms per phase, summed over the nodes: where the cluster itself makes a script wait. */
  phases: Record<'drain' | 'leave' | 'join' | 'settle', number>;
}

/** Real milliseconds between polls: tight, so the script's own latency is negligible next to the cluster's waits. */
const POLL_MS = 10;

export async function referenceUpgrade(estate: Estate): Promise<ReferenceResult> {
  const es = new Client({ node: estate.es.url, requestTimeout: 60_000 });
  const aws = { region: estate.aws.region, endpoint: estate.aws.url, credentials: estate.aws.credentials };
  const ec2 = new EC2Client(aws);
  const asg = new AutoScalingClient(aws);
  const started = estate.clock.now();
  try {
    const groups = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [estate.groups.masters, estate.groups.data] }));
    const ids = (groups.AutoScalingGroups ?? []).flatMap((g) => (g.Instances ?? []).map((i) => i.InstanceId!));
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const instanceByIp = new Map<string, string>();
    for (const r of described.Reservations ?? []) for (const i of r.Instances ?? []) if (i.PrivateIpAddress) instanceByIp.set(i.PrivateIpAddress, i.InstanceId!);

    const nodes = await catNodes(es);
    const total = nodes.length;
    const elected = nodes.find((n) => n.master === '*')?.name;
    const data = nodes.filter((n) => !isDedicatedMaster(n));
    const masters = nodes.filter((n) => isDedicatedMaster(n)).sort((a, b) => Number(a.name === elected) - Number(b.name === elected));
    const phases = { drain: 0, leave: 0, join: 0, settle: 0 };
    let mark = estate.clock.now();
    const lap = (phase: keyof typeof phases) => {
      const now = estate.clock.now();
      phases[phase] += now - mark;
      mark = now;
    };
    for (const node of [...data, ...masters]) {
      const instanceId = instanceByIp.get(node.ip);
      if (!instanceId) throw new Error(`no instance has the private IP ${node.ip} of ${node.name}`);
      if (isDedicatedMaster(node)) await withdrawVote(es, node.name);
      else await drain(es, node.name);
      lap('drain');
      await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: false }));
      await until(async () => !(await catNodes(es)).some((n) => n.name === node.name && n.ip === node.ip));
      lap('leave');
      await until(async () => (await catNodes(es)).length >= total);
      lap('join');
      if (isDedicatedMaster(node)) await es.transport.request({ method: 'DELETE', path: '/_cluster/voting_config_exclusions', querystring: { wait_for_removal: 'false' } });
      else await es.cluster.putSettings({ persistent: { 'cluster.routing.allocation.exclude._name': null } });
      await until(() => settled(es));
      lap('settle');
    }
    return { clockMs: estate.clock.now() - started, nodes: total, phases };
  } finally {
    await es.close();
    ec2.destroy();
    asg.destroy();
  }
}

function isDedicatedMaster(n: CatNode): boolean {
  return n['node.role'].includes('m') && !/[dhwcsf]/.test(n['node.role']);
}

async function catNodes(es: Client): Promise<CatNode[]> {
  return (await es.cat.nodes({ format: 'json', h: 'name,ip,node.role,master' })) as unknown as CatNode[];
}

async function drain(es: Client, name: string): Promise<void> {
  await es.cluster.putSettings({ persistent: { 'cluster.routing.allocation.exclude._name': name } });
  await until(async () => {
    // A relocating copy's node column reads "from -> ip id to": the node is empty only when no row names it.
    const shards = (await es.cat.shards({ format: 'json', h: 'node' })) as unknown as Array<{ node: string | null }>;
    return !shards.some((s) => s.node === name || s.node?.startsWith(`${name} `) || s.node?.endsWith(` ${name}`));
  });
}

async function withdrawVote(es: Client, name: string): Promise<void> {
  await es.transport.request({ method: 'POST', path: '/_cluster/voting_config_exclusions', querystring: { node_names: name } });
  await until(async () => {
    const elected = (await catNodes(es)).find((n) => n.master === '*');
    return !!elected && elected.name !== name;
  });
}

/** Green, or yellow with nothing moving and only replicas unassigned (a new index's replica cannot go to an older node). */
async function settled(es: Client): Promise<boolean> {
  const h = await es.cluster.health();
  if (h.status === 'green') return h.initializing_shards === 0;
  if (h.status !== 'yellow' || h.initializing_shards > 0 || h.relocating_shards > 0) return false;
  const shards = (await es.cat.shards({ format: 'json', h: 'prirep,state' })) as unknown as Array<{ prirep: string; state: string }>;
  return shards.every((s) => s.state !== 'UNASSIGNED' || s.prirep === 'r');
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('reference upgrade: a wait did not end within 10 real minutes');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
