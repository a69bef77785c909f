import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { queueName } from '../../src/queues/names';
import type { JobData } from '../../src/runner/types';
import { startRunnerHarness } from '../backbone/runner-harness';
import { USERS, type Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';

/**
 * A job the worker cannot even hand to the runner — its kind has no module here, or its cluster was removed
 * from the configuration while it waited — fails like any other job: a log line, a failed reason that says
 * what to do, and the requester told (ephemerally: no thread exists yet). Driven through the real worker
 * process (src/main.ts → startWorkers), a real Redis and the Slack emulator.
 */
let h: Harness | undefined;
let redis: Redis | undefined;
let queue: Queue<JobData> | undefined;
afterEach(async () => {
  await queue?.close();
  redis?.disconnect();
  await h?.close();
  h = redis = queue = undefined;
});

async function queuedThenChanged(change: Partial<JobData>, beforeWorker: (id: string) => Promise<void> = async () => undefined): Promise<string> {
  h = await startRunnerHarness({ startWorker: false });
  const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --polls 1'));
  redis = new Redis(redisUrl());
  queue = new Queue<JobData>(queueName('demo'), { connection: redis, prefix: h.prefix });
  const job = (await queue.getJob(id))!;
  // What a restart with another configuration (or another release) makes of a job queued before it.
  await job.updateData({ ...job.data, ...change });
  await beforeWorker(id);
  await h.startWorker();
  return id;
}

async function expectToldAndLogged(id: string, failed: RegExp, reason: RegExp) {
  const s = await h!.waitForJob(id, { until: 'failed', timeoutMs: 30_000 });
  expect(s.failedReason).toMatch(failed);
  const told = await h!.slack.waitUntil(() => h!.slack.ephemerals(USERS.alice).find((e) => e.text?.includes(`Your job \`${id}\` failed`)), {
    timeoutMs: 10_000,
    what: 'the ephemeral about the failure',
  });
  expect(told.text).toMatch(reason);
  const logged = h!
    .workerLog()
    .split('\n')
    .filter((l) => l.includes('"msg":"job failed"') && l.includes(id));
  expect(logged, h!.workerLog()).toHaveLength(1);
  expect(JSON.parse(logged[0])).toMatchObject({ level: 50, job: id, err: expect.stringMatching(reason) });
  // No thread was opened: there was nothing to run it with.
  expect(h!.thread(id)).toEqual([]);
  // And the failed reason says what to do, not only what went wrong.
  expect(s.failedReason).toMatch(reason);
}

describe('a job the worker cannot hand to the runner', () => {
  it('its cluster was removed from the configuration: logged, failed with what to do, the requester told, the lock freed', async () => {
    const id = await queuedThenChanged({ cluster: 'staging' });
    await expectToldAndLogged(id, /cluster "staging" is not in the configuration any more/, /cluster "staging" is not in the configuration any more \(configured: prod\); nothing was done — add it back under `clusters`/);
    expect(await redis!.get(`${h!.prefix}:lock:cluster:staging`)).toBeNull();
  });

  it('no module for its kind: logged, failed with what to do, the requester told, the cluster lock freed', async () => {
    // The bot took prod's lock for this job at enqueue time.
    const lockKey = () => `${h!.prefix}:lock:cluster:prod`;
    const id = await queuedThenChanged({ kind: 'no-such-kind' as JobData['kind'] }, async (id) => expect(await redis!.get(lockKey())).toBe(id));
    await expectToldAndLogged(id, /no job module is registered for kind "no-such-kind"/, /no job module is registered for kind "no-such-kind" \(this worker runs: demo\)/);
    expect(await redis!.get(lockKey())).toBeNull();
  });
});
