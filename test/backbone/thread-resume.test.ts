import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runnerKey } from '../fixtures/runner-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import type { StoredMessage } from '../../sim/slack';
import { startRunnerHarness } from './runner-harness';

/**
 * Issue #12 (items 4 and 12): what a worker had not yet told the thread when it was SIGKILLed is not lost. Its
 * live "⏳" message is finalised by the worker that takes the job over — with the step's result when the step
 * completed, as interrupted when it did not — and the results Slack never got are posted, each exactly once
 * and in step order. Real runner, real Redis, the worker a child process killed with SIGKILL.
 */
const LABELS = ['Plan', 'Wait for item 1', 'Destroy item 1', 'Wait for item 2', 'Destroy item 2'];

describe('runner: the thread after a SIGKILL', () => {
  let h: Harness;
  let redis: Redis;
  let id = '';
  const key = (name: string) => runnerKey(h.prefix, name);
  const replies = () => h.thread(id).slice(1);
  const until = async (what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms\n${h.threadText(id)}\n${h.workerLog().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** Waits until item 1's wait shows its live message in the thread, edited at least once since it was posted. */
  const liveLine = async (): Promise<StoredMessage> => {
    let live: StoredMessage | undefined;
    await until('no live "⏳ item 1" message edited in place', () => {
      live = replies().find((m) => m.text.startsWith('⏳ item 1: poll'));
      return !!live && live.revisions.length >= 1;
    });
    return live!;
  };
  /** Where each step's result line is: [message index, line index], and how often it is there. */
  const results = () =>
    LABELS.map((label) => {
      const at: Array<[number, number]> = [];
      replies().forEach((m, i) => m.text.split('\n').forEach((line, j) => line.startsWith(`✅ *${label}* —`) && at.push([i, j])));
      return { label, at };
    });
  const expectEachResultOnceInOrder = () => {
    const r = results();
    expect(r.map((x) => [x.label, x.at.length]), h.threadText(id)).toEqual(LABELS.map((l) => [l, 1]));
    const positions = r.map((x) => x.at[0][0] * 1000 + x.at[0][1]);
    expect([...positions].sort((a, b) => a - b), h.threadText(id)).toEqual(positions);
  };

  beforeAll(async () => {
    h = await startRunnerHarness({ speed: 60 });
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });
  afterEach(async () => {
    h.slack.rateLimitFor('chat.postMessage', 0);
    h.slack.rateLimitFor('chat.update', 0);
    await redis.del(key('polls:1'), key('polls:2'), key('effect:1'), key('effect:2'), key('destroy-log'), key('cleanup'));
  });

  it('killed while results wait for Slack behind a live line: the line gets its result, the lost results are posted once, in order', async () => {
    // 1000 polls of 50 real ms: item 1's wait runs until the test lets it finish.
    id = jobIdIn(await h.command('alice', 'demo prod --items 2 --polls 1000 --poll-ms 3000'));
    const live = await liveLine();
    // Slack holds every call from now on (a 429 storm): results queue up in the worker, unsent.
    h.slack.rateLimitFor('chat.postMessage', 120_000);
    h.slack.rateLimitFor('chat.update', 120_000);
    await redis.set(key('polls:1'), 999);
    await until('item 1 was not destroyed', async () => !!(await h.job(id))?.data.records.some((r) => r.step === 'item-1/destroy'));
    await until('item 2 was not polled', async () => Number(await redis.get(key('polls:2'))) >= 1);
    // The thread as the dead worker leaves it: its "⏳" line, and none of the two results it completed since.
    expect(replies().find((m) => m.ts === live.ts)?.text).toMatch(/^⏳ item 1: poll/);
    expect(h.threadText(id)).not.toMatch(/\*Wait for item 1\* —|\*Destroy item 1\* —/);
    await h.killWorker();
    h.slack.rateLimitFor('chat.postMessage', 0);
    h.slack.rateLimitFor('chat.update', 0);

    await redis.set(key('polls:2'), 999);
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    await h.waitForThread(id, /🏁/);
    // The dead worker's live line now shows its step's result, in its place above the takeover.
    expect(replies().find((m) => m.ts === live.ts)?.text).toMatch(/^✅ \*Wait for item 1\* — item 1 ready/);
    expect(replies().filter((m) => m.text.startsWith('⏳')), h.threadText(id)).toEqual([]);
    expectEachResultOnceInOrder();
    // The results the thread never got come before the takeover is announced.
    const resumedAt = replies().findIndex((m) => /Resumed by worker/.test(m.text));
    expect(resumedAt).toBeGreaterThan(0);
    expect(results()[2].at[0][0]).toBeLessThan(resumedAt);
    expect(await redis.lrange(key('destroy-log'), 0, -1)).toEqual(['1', '2']);
  }, 60_000);

  it('killed in the middle of a wait: its live line says it was interrupted and by whom it was resumed; the step reports once', async () => {
    id = jobIdIn(await h.command('alice', 'demo prod --items 1 --polls 1000 --poll-ms 3000'));
    const live = await liveLine();
    await h.killWorker();
    await redis.set(key('polls:1'), 999);
    await h.startWorker();
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    await h.waitForThread(id, /🏁/);
    expect(replies().find((m) => m.ts === live.ts)?.text, h.threadText(id)).toMatch(
      /^⏹ \*Wait for item 1\* interrupted: worker `[^`]+` stopped before the step finished; resumed by worker `[^`]+` below/,
    );
    expect(replies().filter((m) => m.text.startsWith('⏳')), h.threadText(id)).toEqual([]);
    const r = results().slice(0, 3);
    expect(r.map((x) => x.at.length), h.threadText(id)).toEqual([1, 1, 1]);
    // The step ran on in a message of its own, below the interrupted one.
    expect(r[1].at[0][0]).toBeGreaterThan(replies().findIndex((m) => m.ts === live.ts));
  }, 60_000);
});
