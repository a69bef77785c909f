import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { startEstate, type Estate } from '../../sim/estate';
import { AckedWriter } from '../../sim/seed/acked-writer';
import { watchEstate } from '../../sim/watcher/for-estate';
import type { Watcher } from '../../sim/watcher';

let estate: Estate | undefined;
let watcher: Watcher | undefined;
let writer: AckedWriter | undefined;
afterEach(async () => {
  await writer?.stop(0).catch(() => undefined);
  await watcher?.close();
  await estate?.close();
  estate = watcher = writer = undefined;
});

const SEEDED = { 'logs-a': 300, 'logs-b': 200 };

/** 3 masters + 3 data at 8.15.0; at speed 1000 a clock hour is 3.6 real seconds, so the writer rolls over. */
async function quietEstate() {
  estate = await startEstate({
    masters: 3,
    data: 3,
    version: '8.15.0',
    speed: 1000,
    indices: Object.entries(SEEDED).map(([name, docs]) => ({ name, shards: 2, replicas: 1, docs })),
  });
  watcher = watchEstate(estate, { expectedNodes: 6 });
  const baseline = await watcher.baseline('logs-*');
  writer = new AckedWriter({ url: estate.es.url, now: () => estate!.clock.now(), batch: 10, everyMs: 50 });
  await watcher.start();
  writer.start();
  return { estate, watcher, writer, baseline };
}

const waitReal = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clients = (e: Estate) => {
  const config = { region: e.aws.region, endpoint: e.aws.url, credentials: e.aws.credentials };
  return { ec2: new EC2Client(config), asg: new AutoScalingClient(config) };
};

describe('the watcher sees the estate only through public APIs', () => {
  it('a quiet estate: green throughout, no node out, every acknowledged document counted, across an hourly rollover', async () => {
    const { watcher, writer, baseline } = await quietEstate();
    expect(baseline).toEqual(SEEDED);
    await waitReal(4_500);
    const figures = await writer.stop();
    const audit = await watcher.auditDocuments({ ...baseline, ...figures.acked });
    await watcher.stop();
    const r = watcher.report();

    expect(Object.keys(figures.acked).length, 'the writer rolled over to a new hourly index').toBeGreaterThanOrEqual(2);
    expect(writer.totalAcked()).toBeGreaterThan(200);
    expect(audit.every((a) => a.missing === 0 && a.counted === a.expected), JSON.stringify(audit)).toBe(true);
    expect(r.samples).toBeGreaterThan(20);
    expect(r).toMatchObject({ redSeen: false, maxNodesOut: 0, terminatedTwice: [], terminations: [] });
    expect(r.timeIn.red).toBe(0);
    expect(r.timeIn.green).toBeGreaterThan(0);
    expect(watcher.violations({ maxNodesOut: 1 })).toEqual([]);
  });

  it('a CloudFormation-style replacement of every data node at once: red, nodes out, acknowledged documents missing', async () => {
    const { estate, watcher, writer, baseline } = await quietEstate();
    await waitReal(500);
    const { ec2 } = clients(estate);
    const data = estate.aws.sim.instances().filter((i) => i.group === 'es-data').map((i) => i.instanceId);
    // The instance ids are what any operator could read from DescribeAutoScalingGroups; the call is EC2's own.
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: data }));
    ec2.destroy();
    await waitReal(1_500);
    const figures = await writer.stop(500);
    const audit = await watcher.auditDocuments({ ...baseline, ...figures.acked }, { attempts: 2, pauseMs: 20 });
    await watcher.stop();
    const r = watcher.report();

    expect(r.redSeen).toBe(true);
    expect(r.firstRedAt).toBeGreaterThan(r.startedAt);
    expect(r.timeIn.red).toBeGreaterThan(0);
    expect(r.maxNodesOut).toBe(3);
    expect(r.maxUnassignedPrimaries).toBeGreaterThan(0);
    const lost = audit.filter((a) => a.missing > 0).map((a) => a.index);
    expect(lost).toEqual(expect.arrayContaining(['logs-a', 'logs-b']));
    const v = watcher.violations({ maxNodesOut: 1 });
    expect(v.some((l) => /went red/.test(l))).toBe(true);
    expect(v.some((l) => /3 of 6 nodes were out of the cluster at once/.test(l))).toBe(true);
    expect(v.some((l) => /^logs-a: \d+ acknowledged documents missing \(expected 300/.test(l))).toBe(true);
  });

  it('two termination requests for one instance are seen in its Auto Scaling activities', async () => {
    const { estate, watcher } = await quietEstate();
    const { asg } = clients(estate);
    const [victim, other] = estate.aws.sim.instances().filter((i) => i.group === 'es-data').map((i) => i.instanceId);
    const terminate = (id: string) => asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: false }));
    // Both requests for the victim are in flight together: at speed 1000 a sequential second call can arrive after
    // the instance has already left its group (AWS then answers ValidationError), which would test the machine's load.
    await Promise.all([terminate(victim), terminate(victim), terminate(other)]);
    asg.destroy();
    await waitReal(300);
    await watcher.stop();
    const r = watcher.report();
    expect(r.terminations.map((t) => t.instanceId).sort()).toEqual([victim, victim, other].sort());
    expect(r.terminatedTwice).toEqual([{ instanceId: victim, activities: 2 }]);
    expect(r.instanceStates[victim]).toEqual(expect.arrayContaining(['running', 'shutting-down']));
    expect(watcher.violations({ maxNodesOut: 2, allowRed: true })).toContain(`instance ${victim} was terminated 2 times (Auto Scaling activities)`);
  });

  it('imports nothing from the simulators but their types', () => {
    const dir = join(import.meta.dirname, '../../sim/watcher');
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      const imports = [...src.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)].map((m) => ({ type: !!m[1], from: m[2] }));
      const simValue = imports.filter((i) => !i.type && i.from.startsWith('..'));
      expect(simValue, f).toEqual([]);
    }
  });
});
