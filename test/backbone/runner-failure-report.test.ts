import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS, type Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { startRunnerHarness } from './runner-harness';

/** A job that fails before it has a thread still reaches its requester, the log, and BullMQ's failed reason. */
describe('runner: a failure before the thread exists', () => {
  let h: Harness;
  beforeAll(async () => {
    // The ops channel does not exist in the workspace: the job card's post fails with channel_not_found.
    h = await startRunnerHarness({ speed: 60, clusterConfig: { opsChannel: 'C0NOPE' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fails the job with a reason that says how to fix it, logs it, and tells the requester ephemerally', async () => {
    const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --polls 1'));
    const s = await h.waitForJob(id, { until: 'failed', timeoutMs: 30_000 });
    expect(s.failedReason).toMatch(/could not open the job thread in <#C0NOPE> \(channel_not_found\): check clusters\.prod\.opsChannel/);
    const told = await h.slack.waitUntil(() => h.slack.ephemerals(USERS.alice).find((e) => e.text?.includes(`Your job \`${id}\` failed`)), {
      timeoutMs: 10_000,
      what: 'the ephemeral about the failure',
    });
    expect(told.text).toMatch(/channel_not_found/);
    expect(h.workerLog()).toMatch(/"msg":"job failed"/);
  });
});
