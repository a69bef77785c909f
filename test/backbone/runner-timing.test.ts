import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import { startRunnerHarness } from './runner-harness';

/** "1h 2m 3s", "4.5 s", "300 ms" back to ms (formatDuration's output). */
function ms(text: string): number {
  const t = text.trim();
  if (/^[\d.]+ ms$/.test(t)) return Number(t.slice(0, -3));
  if (/^[\d.]+ s$/.test(t)) return Number(t.slice(0, -2)) * 1000;
  let total = 0;
  for (const [, n, u] of t.matchAll(/(\d+)([hms])/g)) total += Number(n) * { h: 3_600_000, m: 60_000, s: 1000 }[u as 'h' | 'm' | 's'];
  return total;
}

/**
 * Issue #12 (items 6 and 8): the job's last line says how good the plan's estimate was against what it
 * estimates — the steps' work — not against a span that holds the time the job waited for a person, and every
 * cluster-clock duration in the thread is labelled as such when that clock runs faster than real time.
 */
describe('runner: the final timing line', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRunnerHarness({ speed: 60, worker: 'in-process' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a 3 cluster-minute wait for approval is named beside the estimate, not counted as the estimate\'s error', async () => {
    // Item 1 is estimated at 2 cluster minutes; its wait takes about 1 (two polls, a minute apart).
    const id = jobIdIn(await h.command('alice', 'demo prod --items 1 --polls 2 --poll-ms 60000 --approve --estimate-ms 120000'));
    await h.waitForApproval(id);
    await new Promise((r) => setTimeout(r, 3_000)); // 3 cluster minutes of a person thinking
    await h.approve('bob', id);
    const s = await h.waitForJob(id, { until: 'completed', timeoutMs: 30_000 });
    expect(s.returnvalue.outcome).toBe('completed');
    await h.waitForThread(id, /🏁/);
    const final = h.thread(id).find((m) => m.text.startsWith('🏁'))!.text;
    const m = /⏱️ elapsed ([\d.]+ s) \(cluster time ([^,]+), 60× real time\) · estimated 2m, took (.+?) of step work, ([+−]\d+)% \(cluster time, 60× real time\); not counted: (.+?) waiting for approvals/.exec(final);
    expect(m, final).not.toBeNull();
    const [, realElapsed, clusterElapsed, work, , waited] = m!;
    // What was measured, as the job's own records have it.
    const recs = s.data.records.filter((r) => r.step.startsWith('item-1/'));
    const measuredWork = recs.reduce((sum, r) => sum + (r.workMs ?? 0), 0);
    expect(Math.abs(ms(work) - measuredWork)).toBeLessThanOrEqual(1000);
    expect(ms(work)).toBeLessThan(2.5 * 60_000);
    // The approval wait is outside the work and named: at least the 3 minutes the person took.
    expect(ms(waited)).toBeGreaterThanOrEqual(2.5 * 60_000);
    expect(ms(clusterElapsed)).toBeGreaterThan(ms(work) + ms(waited) - 1000);
    expect(ms(realElapsed)).toBeLessThan(ms(clusterElapsed) / 30);
    // Step results label their cluster durations too.
    expect(h.threadText(id)).toMatch(/✅ \*Wait for item 1\* — item 1 ready _\([^)]+ cluster time, 60× real time\)_/);
  }, 40_000);
});
