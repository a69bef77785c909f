import { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { seedWatchedEstate, TARGET, type WatchedEstate } from '../../../sim/seed/watched-upgrade-seed';
import { estateDeps } from '../../../sim/seed/upgrade-deps';
import { driveThroughCrashes, driveToEnd } from '../../helpers/drive-job';
import { startHarness, USERS, type Harness, type HarnessOptions } from '../../helpers/harness';
import { jobIdIn } from '../../helpers/job-id';
import { messageText } from '../../../sim/slack';

let seeded: WatchedEstate | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await seeded?.close();
  h = undefined;
  seeded = undefined;
});

type Seed = Parameters<typeof seedWatchedEstate>[0];
/** The bot on a watched estate: the watcher and the acknowledged writer run from before the command. */
async function bot(seed: Seed = {}, o: Partial<HarnessOptions> = {}): Promise<Harness> {
  seeded = await seedWatchedEstate(seed);
  h = await startHarness({ estate: seeded.estate, worker: 'in-process', config: { worker: { predicateWait: '60m' } }, ...o });
  await seeded.start();
  return h;
}

/** Approve every termination; answer the job's own questions (Keep waiting / Abort) with `keepWaiting`. */
const answering = (keepWaiting: boolean) => (p: { purpose: string }) => (p.purpose === 'continue' ? keepWaiting : true);

const exclusion = async (url: string) => {
  const es = new Client({ node: url });
  try {
    const s = await es.cluster.getSettings({ flat_settings: true });
    return s.transient['cluster.routing.allocation.exclude._name'] ?? s.persistent['cluster.routing.allocation.exclude._name'] ?? null;
  } finally {
    await es.close();
  }
};

describe('upgrade failures on the simulated estate (Slack emulator, BullMQ, real runner)', () => {
  it('a SIGKILL right after the terminate call returns: the resumed step sees the instance shutting down and does not terminate again', async () => {
    await bot({}, { worker: 'process', startWorker: false });
    const crashes = ['es-data-2/terminate:ran', 'es-master-2/terminate:ran'];
    await h!.startWorker({ crashAt: crashes[0] });
    const id = jobIdIn(await h!.command('alice', 'upgrade prod --node es-data-2,es-master-2'));
    const r = await driveThroughCrashes(h!, id, crashes, { timeoutMs: 110_000 });
    expect(r.fired).toEqual(crashes);
    expect(r.final.returnvalue?.outcome, `${r.final.failedReason}\n${h!.threadText(id)}`).toBe('completed');
    expect(r.final.data.records.filter((x) => x.skipped).map((x) => x.step)).toEqual(['es-data-2/terminate', 'es-master-2/terminate']);
    expect(r.final.returnvalue.summary).toMatch(/Terminated instances.*\(es-data-2\).*\(es-master-2\)/s);
    expect(h!.threadText(id)).toMatch(/already done before the restart; not repeated/);
    // AWS's own account: one termination activity per instance, none repeated by the resumed steps.
    const w = await seeded!.finish();
    expect(w.terminated).toHaveLength(2);
    expect(w.report).toMatchObject({ redSeen: false, maxNodesOut: 1, terminatedTwice: [] });
    expect(w.missingDocs, JSON.stringify(w.audit)).toBe(0);
    expect(w.violations, w.documentsLine).toEqual([]);
  }, 120_000);

  it('a replacement whose node never joins stops the job with a clear message after the approver chooses Abort', async () => {
    await bot({ esKnobs: {} });
    seeded!.estate.es.cluster.knobs.neverJoin.add('es-data-3');
    const id = jobIdIn(await h!.command('alice', 'upgrade prod --node es-data-3 --join-timeout 10m'));
    const r = await driveToEnd(h!, id, { decide: answering(false) });
    const questions = r.asked.filter((a) => a.purpose === 'continue');
    expect(questions).toHaveLength(1);
    expect(questions[0].action).toMatch(/^replacement i-\w+ \(10\.[\d.]+\) is running but its node has not joined the cluster — check its Elasticsearch log.* after 10m\. Keep waiting another 10m, or abort\?/);
    expect(r.final.state).toBe('failed');
    expect(r.final.failedReason).toMatch(/aborted by <@U0BOB>\. The cluster is one node short until the replacement joins/);
    const thread = h!.threadText(id);
    expect(thread).toMatch(/was terminated and its replacement has not joined yet/);
    expect(thread).toMatch(/allocation exclusion restored to none/);
    const w = await seeded!.finish();
    expect(w.terminated).toHaveLength(1);
    // One node short (the replacement never joined), never red, every acknowledged document still countable.
    expect(w.report).toMatchObject({ redSeen: false, maxNodesOut: 1 });
    expect(w.missingDocs, JSON.stringify(w.audit)).toBe(0);
    expect(w.violations, w.documentsLine).toEqual([]);
  }, 60_000);

  it('a replacement that fails to boot asks Keep waiting / Abort; keep waiting picks up the next launch and finishes', async () => {
    await bot({ awsKnobs: { failBoot: 1 } });
    const id = jobIdIn(await h!.command('alice', 'upgrade prod --node es-data-1'));
    const r = await driveToEnd(h!, id, { decide: answering(true) });
    expect(r.final.returnvalue?.outcome, `${r.final.failedReason}\n${h!.threadText(id)}`).toBe('completed');
    const questions = r.asked.filter((a) => a.purpose === 'continue');
    expect(questions).toHaveLength(1);
    expect(questions[0].action).toMatch(/^replacement instance i-\w+ for es-data-1 failed to boot: it is (shutting-down|terminated) and its node never joined/);
    const failed = r.final.data.state['node:es-data-1'] as { failedReplacements: string[]; replacement: { instanceId: string } };
    expect(failed.failedReplacements).toHaveLength(1);
    expect(failed.replacement.instanceId).not.toBe(failed.failedReplacements[0]);
    expect(seeded!.estate.es.cluster.nodes().find((n) => n.name === 'es-data-1')?.version).toBe(TARGET);
  }, 60_000);

  it('a replacement that fails to boot, then Abort: the job stops and says so', async () => {
    await bot({ awsKnobs: { failBoot: 5 } });
    const id = jobIdIn(await h!.command('alice', 'upgrade prod --node es-data-1'));
    const r = await driveToEnd(h!, id, { decide: answering(false) });
    expect(r.final.state).toBe('failed');
    expect(r.final.failedReason).toMatch(/replacement i-\w+ for es-data-1 failed to boot .*aborted by <@U0BOB>\. Check the group's activity history/);
    expect(h!.threadText(id)).toMatch(/Failed/);
  }, 60_000);

  it('a dry run posts the plan and the predicates and changes nothing', async () => {
    await bot();
    const reply = await h!.command('alice', 'upgrade prod --dry-run');
    const id = jobIdIn(reply);
    const r = await driveToEnd(h!, id, { decide: (p) => { throw new Error(`a dry run asked: ${p.request.action}`); } });
    expect(r.final.returnvalue?.outcome).toBe('completed');
    expect(r.final.data.records.map((x) => x.step)).toEqual(['plan']);
    expect(h!.threadText(id)).toMatch(/Upgrade plan\*: 9 of 9 nodes to replace[\s\S]*Safety predicates now/);
    expect(r.final.returnvalue.summary).toBe('Dry run: 9 nodes would be replaced; nothing was changed.');
    expect(r.asked).toEqual([]);
    const w = await seeded!.finish();
    expect(w.terminated, 'no Auto Scaling termination activity').toEqual([]);
    expect(w.report.maxNodesOut).toBe(0);
    expect(w.missingDocs, w.documentsLine).toBe(0);
  }, 30_000);

  it('the card\'s Cancel button after the drain restores the allocation exclusion and leaves the cluster with every node', async () => {
    await bot();
    const id = jobIdIn(await h!.command('alice', 'upgrade prod --node es-data-1'));
    // The drain is done and the job waits for the termination's approval, which nobody gives.
    // Nothing is clicked: the first time the job parks is on the termination's question (asked ahead, during the drain).
    const parked = await h!.waitForJob(id, { until: 'parked', timeoutMs: 50_000 });
    expect(parked.data.records.map((r) => r.step), h!.threadText(id)).toContain('es-data-1/drain');
    expect(parked.data.pendingApproval?.step).toBe('es-data-1/terminate');
    expect(await exclusion(seeded!.estate.es.url)).toBe('es-data-1');
    // An accepted cancel is answered by the card the job rewrites, not by a private "Cancel requested".
    await h!.click('alice', id, 'job_cancel');
    const s = await h!.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('cancelled');
    await h!.slack.waitUntil(() => /cancelled at/.test(messageText(h!.card(id)!)), { timeoutMs: 5000 });
    expect(h!.slack.ephemerals(USERS.alice).map((e) => e.text ?? '').join('\n')).not.toMatch(/Cancel requested/);
    const thread = h!.threadText(id);
    expect(thread).toMatch(/Cancelled.*by <@U0ALICE>/);
    expect(thread).toMatch(/allocation exclusion restored to none/);
    expect(thread).toMatch(/cluster (green|yellow), 9 of 9 nodes/);
    expect(await exclusion(seeded!.estate.es.url)).toBeNull();
    const w = await seeded!.finish();
    expect(w.terminated, 'no Auto Scaling termination activity').toEqual([]);
    // Every node stayed in the cluster throughout, not only at the end.
    expect(w.report.maxNodesOut).toBe(0);
    expect(w.violations, w.documentsLine).toEqual([]);
  }, 60_000);
});

describe('what the predicates prevent', () => {
  it('the same estate with every stale instance terminated at once (what CloudFormation did) goes red and loses documents', async () => {
    seeded = await seedWatchedEstate();
    await seeded.start();
    const deps = estateDeps(seeded.estate);
    const [masters, data] = await deps.aws.groups([seeded.estate.groups.masters, seeded.estate.groups.data]);
    await Promise.all([...masters.instances, ...data.instances].map((i) => deps.aws.terminate(i.id, 'autoscaling')));
    await seeded.estate.clock.sleep(10 * 60_000);
    const w = await seeded.finish();
    const r = w.report;
    expect(r.redSeen).toBe(true);
    expect(w.missingDocs).toBeGreaterThan(0);
    expect(w.violations.some((l) => /went red/.test(l))).toBe(true);
    expect(w.violations.some((l) => /acknowledged documents missing/.test(l))).toBe(true);
    // More than one node out at once, as AWS and Elasticsearch show it: every instance had a termination activity
    // while the cluster answered no health request (the masters went too). The watcher's "nodes out" stays 0
    // here: it counts nodes from `_cluster/health`, which no master answered until all 9 replacements had
    // joined — it is blind to that gap, and says so (the simulator's own bookkeeping had 9 out at once).
    expect(new Set(w.terminated).size).toBe(9);
    expect(r.longestBlindMs).toBeGreaterThan(0);
    const blindEnd = r.longestBlindFrom! + r.longestBlindMs;
    expect(r.terminations.every((t) => t.startTime! <= blindEnd), JSON.stringify(r.terminations)).toBe(true);
    expect(w.violations.some((l) => /cluster health went unanswered/.test(l)), w.violations.join('\n')).toBe(true);
  }, 30_000);
});
