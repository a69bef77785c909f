import { Client } from '@elastic/elasticsearch';
import { TerminateInstancesCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { startEstate, type Estate } from '../../sim/estate';

let estate: Estate;
let es: Client;
let aws: AwsClients;

beforeAll(async () => {
  estate = await startEstate({
    masters: 3,
    data: 3,
    version: '7.17.25',
    targetVersion: '8.15.0',
    speed: 100,
    indices: [{ name: 'orders', shards: 3, replicas: 1, docs: 300 }],
  });
  es = new Client({ node: estate.es.url });
  aws = createAwsClients({ region: estate.aws.region, endpoint: estate.aws.url, credentials: estate.aws.credentials });
});

afterAll(async () => {
  await es?.close();
  aws?.ec2.destroy();
  aws?.autoscaling.destroy();
  await estate?.close();
});

type CatNode = { name: string; ip: string; version: string };

async function catNodes(): Promise<CatNode[]> {
  return (await es.cat.nodes({ format: 'json', h: 'name,ip,version' })) as unknown as CatNode[];
}

describe('estate', () => {
  it('starts complete: every instance is a joined node named after its Name tag', async () => {
    const nodes = await catNodes();
    expect(nodes.map((n) => n.name).sort()).toEqual(['es-data-1', 'es-data-2', 'es-data-3', 'es-master-1', 'es-master-2', 'es-master-3']);
    const byName = new Map(estate.aws.sim.instances().map((i) => [i.name, i]));
    for (const n of nodes) {
      expect(n.version).toBe('7.17.25');
      expect(n.ip).toBe(byName.get(n.name)?.privateIp);
    }
    expect(estate.groups).toEqual({ masters: 'es-master', data: 'es-data' });
    expect((await es.cluster.health()).status).toBe('green');
  });

  it('replaces a terminated data instance with one at the target version that joins the cluster', async () => {
    const out = await aws.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['es-data-2'] }, { Name: 'instance-state-name', Values: ['running'] }] }),
    );
    const victim = out.Reservations![0].Instances![0];
    await aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim.InstanceId!] }));

    const deadline = Date.now() + 10_000;
    let nodes = await catNodes();
    while (!nodes.some((n) => n.name === 'es-data-2' && n.version === '8.15.0') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      nodes = await catNodes();
    }
    const replacement = nodes.find((n) => n.name === 'es-data-2')!;
    expect(replacement.version).toBe('8.15.0');
    expect(replacement.ip).not.toBe(victim.PrivateIpAddress);
    expect(nodes).toHaveLength(6);
    expect(estate.aws.sim.terminations.map((t) => t.instanceId)).toEqual([victim.InstanceId]);
  });
});
