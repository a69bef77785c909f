import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoKey } from '../fixtures/demo-job';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { redisUrl } from '../helpers/redis-url';
import { messageText, type StoredMessage } from '../../sim/slack';
import { startDemoHarness } from '../backbone/demo-harness';

const revisionsOf = (m: StoredMessage) => [...m.revisions.map((r) => messageText(r)), messageText(m)];

/** Issue #12: the card says what actually happened; progress is one message, finalised by the step's result. */
describe('the job card and the thread', () => {
  let h: Harness;
  let redis: Redis;
  let current: string | undefined;
  beforeAll(async () => {
    // predicateWait 3m at 60× is 3 real seconds of "blocked" before the override question.
    h = await startDemoHarness({ speed: 60, config: { worker: { predicateWait: '3m', predicatePoll: '30s' } } });
    redis = new Redis(redisUrl());
  });
  afterEach(async () => {
    const s = current ? await h.job(current) : undefined;
    if (current && s && !['completed', 'failed'].includes(s.state)) {
      await h.command('alice', `cancel ${current}`);
      await h.waitForJob(current, { until: 'finished' });
    }
    current = undefined;
    await redis.del(demoKey(h.prefix, 'effect:1'), demoKey(h.prefix, 'gate'));
  });
  afterAll(async () => {
    await redis.quit();
    await h?.close();
  });

  it('a wait\'s progress is one message edited in place, and the step\'s result replaces it', async () => {
    // 4 progress lines 1 real second apart (4 clock minutes at 60×).
    const id = (current = jobIdIn(await h.command('alice', 'demo prod --items 1 --prepare-ms 240000')));
    await h.waitForApproval(id, 20_000);
    const thread = h.thread(id).slice(1);
    const progressed = thread.filter((m) => revisionsOf(m).some((t) => /⏳ item 1: \d of 4 slices/.test(t)));
    // One progress message for the step, edited at least once, and now showing the step's result.
    expect(progressed, h.threadText(id)).toHaveLength(1);
    expect(progressed[0].revisions.length).toBeGreaterThanOrEqual(2);
    expect(messageText(progressed[0])).toMatch(/^✅ \*Prepare item 1\* — item 1 prepared/);
    // No progress line is left standing anywhere, and the result was not posted a second time.
    expect(thread.filter((m) => messageText(m).startsWith('⏳'))).toEqual([]);
    expect(thread.filter((m) => /Prepare item 1\* — item 1 prepared/.test(messageText(m)))).toHaveLength(1);
  }, 30_000);

  it('the card names the state: waiting for approval of X, blocked by P (posted once), completed — and step numbers agree', async () => {
    await redis.set(demoKey(h.prefix, 'gate'), 'closed');
    const id = (current = jobIdIn(await h.command('alice', 'demo prod --items 1 --prepare-ms 100')));
    await h.waitForApproval(id);
    await h.slack.waitUntil(() => /waiting for approval of \*Destroy item 1\* \(step 3 of 3\)/.test(messageText(h.card(id)!)), { timeoutMs: 5000 });
    await h.approve('bob', id);
    await h.slack.waitUntil(() => /blocked by `demo_gate_open` at \*Destroy item 1\* \(step 3 of 3\)/.test(messageText(h.card(id)!)), { timeoutMs: 10_000 });
    // After predicateWait the override question parks the job; a resumed gate must not post the block again.
    await h.slack.waitUntil(() => /override safety predicate `demo_gate_open`/.test(h.threadText(id)), { timeoutMs: 20_000 });
    await h.approve('dave', id);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('completed');
    await h.slack.waitUntil(() => /completed \(3 of 3 steps\)/.test(messageText(h.card(id)!)), { timeoutMs: 5000 });
    const text = h.threadText(id);
    expect(h.thread(id).filter((m) => /is blocked by `demo_gate_open`/.test(m.text)), text).toHaveLength(1);
    // The card said "completed" only at the end: never ✅ while an approval or a block was still ahead.
    const card = revisionsOf(h.card(id)!);
    const firstDone = card.findIndex((t) => /completed/.test(t));
    expect(firstDone).toBe(card.length - 1);
    expect(card.some((t) => /approved/i.test(t))).toBe(false);
    // Plain unicode blocks for the bar (a code span renders them pink), and both clocks labelled.
    const last = messageText(h.card(id)!);
    expect(last).toMatch(/▓{20} 3\/3/);
    expect(last).not.toMatch(/`[▓░]/);
    expect(last).toMatch(/elapsed [\d.]+ s \(cluster time [^,]+, 60× real time\)/);
  }, 60_000);

  it('/elk status names the same step as the card: "step k of n", mid-run and while waiting for approval', async () => {
    const stepIn = (t: string) => /step (\d+) of (\d+)/.exec(t)?.slice(1, 3).join(' of ');
    // Prepare item 1 (step 2 of 5) takes 5 real seconds at 60×: long enough to ask for the status mid-step.
    const id = (current = jobIdIn(await h.command('alice', 'demo prod --items 2 --prepare-ms 300000')));
    const cardText = () => {
      const c = h.card(id);
      return c ? messageText(c) : '';
    };
    await h.slack.waitUntil(() => /running step 2 of 5: \*Prepare item 1\*/.test(cardText()), { timeoutMs: 10_000 });
    const running = await h.command('carol', `status ${id}`);
    expect(stepIn(running), running).toBe('2 of 5');
    expect(stepIn(cardText())).toBe('2 of 5');
    await h.slack.waitUntil(() => /waiting for approval of \*Destroy item 1\* \(step 3 of 5\)/.test(cardText()), { timeoutMs: 15_000 });
    const waiting = await h.command('carol', `status ${id}`);
    // The progress record says 2 steps are done; the job is at step 3, as the card says.
    expect(stepIn(waiting), waiting).toBe('3 of 5');
    expect(stepIn(cardText())).toBe(stepIn(waiting));
  }, 40_000);

  it('a job id carries the real minute of the request, not the accelerated cluster clock\'s', async () => {
    const minute = (ms: number) => {
      const iso = new Date(ms).toISOString();
      return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
    };
    // At 60× the cluster clock runs ahead of real time by 59 s per real second: wait until it is minutes ahead.
    while (h.clock.now() - Date.now() < 5 * 60_000) await new Promise((r) => setTimeout(r, 100));
    const before = Date.now();
    const id = (current = jobIdIn(await h.command('alice', 'demo prod --items 1 --prepare-ms 100')));
    const after = Date.now();
    const stamp = /^demo-prod-(\d{8}-\d{4})-[a-z0-9]{4}$/.exec(id)?.[1];
    expect([minute(before), minute(after)]).toContain(stamp);
    expect(stamp).not.toBe(minute(h.clock.now()));
  }, 30_000);

  it('the stop message names the same step number as the card', async () => {
    const id = (current = jobIdIn(await h.command('alice', 'demo prod --items 2 --prepare-ms 100')));
    await h.approve('bob', id);
    await h.waitForApproval(id); // item 2's question: step 5 of 5
    await h.slack.waitUntil(() => /waiting for approval of \*Destroy item 2\* \(step 5 of 5\)/.test(messageText(h.card(id)!)), { timeoutMs: 5000 });
    await h.command('alice', `cancel ${id}`);
    const s = await h.waitForJob(id, { until: 'completed' });
    expect(s.returnvalue.outcome).toBe('cancelled');
    await h.waitForThread(id, /Cancelled\* at \*Destroy item 2\* \(step 5 of 5\)/);
    await h.slack.waitUntil(() => /cancelled at \*Destroy item 2\* \(step 5 of 5\)/.test(messageText(h.card(id)!)), { timeoutMs: 5000 });
  }, 30_000);
});
