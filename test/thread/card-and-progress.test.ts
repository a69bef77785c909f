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
