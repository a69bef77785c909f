/**
 * Alerts meet operations, through the whole bot (Slack emulator, webhooks, BullMQ on Redis, the real upgrade on
 * the simulated estate): a critical alert for a cluster an upgrade is running on is linked both ways (the alert
 * thread names the job, its step and links its thread; the job thread gets one line linking the alert), and
 * with elastalert.alerts.holdUpgradesOn: [critical] the next terminate is blocked by no_open_alert_on_cluster
 * until someone acknowledges the alert — then it proceeds, with no override asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWatchedEstate, type WatchedEstate } from '../../sim/seed/watched-upgrade-seed';
import { messageText, type StoredMessage } from '../../sim/slack';
import { USERS } from '../helpers/harness';
import { OPS_CHANNEL, spikeMatch, startAlertHarness, type AlertHarness } from './alert-harness';

const RULE = 'Disk watermark breached';
const permalinkPart = (ts: string) => `/archives/${OPS_CHANNEL}/p${ts.replace('.', '')}`;

describe('an alert on a cluster an upgrade is running on', () => {
  let seeded: WatchedEstate;
  let a: AlertHarness;
  beforeAll(async () => {
    seeded = await seedWatchedEstate({ speed: 200 });
    a = await startAlertHarness({
      estate: seeded.estate,
      worker: 'in-process',
      // Long enough that only a person lets the hold go: no override question, no quiet resolution.
      config: { worker: { predicateWait: '10h' } },
      alerts: { quietPeriod: '24h', holdUpgradesOn: ['critical'] },
      elastalert: { routes: { [RULE]: { channel: OPS_CHANNEL, cluster: 'prod', severity: 'critical' }, '*': OPS_CHANNEL } },
    });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await seeded?.close();
  });

  it('links the alert and the job both ways, holds the terminate by name until the alert is acknowledged', async () => {
    const { h } = a;
    const reply = await h.command('alice', 'upgrade prod');
    const jobId = /as job (\S+?):/.exec(reply)![1];
    // Parked on the first terminate's approval, holding the cluster lock.
    const parked = await h.waitForJob(jobId, { until: 'parked', timeoutMs: 60_000 });
    const terminate = parked.data.pendingApproval!.step;
    expect(terminate).toMatch(/^es-data-\d+\/terminate$/);
    const total = parked.data.records.length; // steps done so far
    const card = h.card(jobId)!;

    expect((await a.post('/elastalert/post', spikeMatch(0, { rule_name: RULE }))).status).toBe(202);
    const parent = await h.slack.waitUntil(() => a.parents().find((m) => messageText(m).includes(RULE)), { timeoutMs: 15_000, what: 'the alert parent' });
    const alertThread = () => h.slack.thread(OPS_CHANNEL, parent!.ts).slice(1).map(messageText).join('\n');
    await h.slack.waitUntil(() => /is in progress/.test(alertThread()), { timeoutMs: 15_000, what: 'the job line in the alert thread' });
    // The alert thread: which job, at which step of how many, doing what, and a permalink to the job's thread.
    expect(alertThread()).toMatch(new RegExp(`🔧 An upgrade of \\*prod\\* is in progress \\(step ${total + 1}/\\d+, waiting for an approval\\)`));
    expect(alertThread()).toContain(permalinkPart(card.ts));
    expect(alertThread()).toContain(jobId);
    expect(alertThread()).toMatch(/Its next terminate waits until this critical alert is acknowledged/);
    // The job thread: one line with the alert thread's permalink.
    await h.waitForThread(jobId, /🔔 Alert \*Disk watermark breached\* \[critical\] fired on \*prod\* while this job runs/);
    const jobLines = h.thread(jobId).filter((m) => messageText(m).includes('🔔 Alert'));
    expect(jobLines).toHaveLength(1);
    expect(messageText(jobLines[0])).toContain(permalinkPart(parent!.ts));
    expect(h.slack.calls.filter((c) => c.method === 'chat.getPermalink').length).toBeGreaterThanOrEqual(2);

    // Approved, the terminate is still held: by the alert, named in the thread, and nothing is terminated.
    await h.approve('bob', jobId);
    await h.waitForThread(jobId, /is blocked by `no_open_alert_on_cluster`: unacknowledged critical alert "Disk watermark breached" open on prod/, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(seeded.estate.aws.sim.terminations).toHaveLength(0);
    expect((await h.job(jobId))!.data.records.map((r) => r.step)).not.toContain(terminate);
    expect(h.threadText(jobId)).toContain('acknowledge it in its alert thread');

    // Acknowledged in the alert thread: the predicate passes and the terminate runs, with no override asked.
    const clicked = await h.slack.clickButton({ user: USERS.bob, channel: OPS_CHANNEL, messageTs: parent!.ts, actionId: 'alert_ack' });
    expect(clicked.status).toBe(200);
    await h.waitForThread(jobId, /Safety predicates for \*Terminate .+ pass now/, 30_000);
    for (const deadline = Date.now() + 30_000; !(await h.job(jobId))?.data.records.some((r) => r.step === terminate); ) {
      expect(Date.now(), `${terminate} not recorded after the ack\n${h.threadText(jobId)}`).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seeded.estate.aws.sim.terminations).toHaveLength(1);
    expect(h.threadText(jobId)).not.toMatch(/override safety predicate/);
    // Still one line each way: the ack and later flushes do not link again.
    expect(h.thread(jobId).filter((m: StoredMessage) => messageText(m).includes('🔔 Alert'))).toHaveLength(1);
    expect(h.slack.violations).toEqual([]);
  }, 150_000);
});
