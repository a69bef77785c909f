import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AofRedis } from './aof-redis';
import { soakOnce, type SoakResult } from './soak-run';
import type { SoakKind } from './schedule';

/**
 * The CI slice of the chaos soak: a few fixed seeds (SOAK_SEED / SOAK_RUNS pick others), quick upgrades (data
 * nodes only), each run bounded so the file stays within ~90 s on two cores. Every invariant is asserted; a
 * broken one fails the test with the command that replays it.
 */
const FIRST = Number(process.env.SOAK_SEED ?? 1);
const RUNS = Number(process.env.SOAK_RUNS ?? 1);
// Generous: a run takes ~30 s on a quiet 2-core machine; the bound catches a stuck job, not a slow machine.
const BOUND_MS: Record<SoakKind, number> = { upgrade: 150_000, reindex: 120_000 };

let redis: AofRedis;
const results: SoakResult[] = [];
const previousRedis = process.env.REDIS_URL;
beforeAll(async () => {
  redis = await AofRedis.start();
});
afterAll(async () => {
  process.env.REDIS_URL = previousRedis;
  await redis?.stop();
  const bad = results.filter((r) => r.violations.length);
  console.log(`soak: ${results.length} seeds run (${results.map((r) => `${r.kind} ${r.seed}`).join(', ')}), ${bad.length} with violations`);
  for (const r of bad) for (const v of r.violations) console.log(`  ${r.kind} seed ${r.seed}: ${v}\n    replay: ${r.replay}`);
});

describe('chaos soak through the real bot (Slack emulator, worker processes, AOF Redis)', () => {
  for (const kind of ['upgrade', 'reindex'] as const) {
    for (let i = 0; i < RUNS; i++) {
      const seed = FIRST + i;
      it(`/elk ${kind}, seed ${seed}: nothing lost, never red, one node out at most, nothing done or asked twice, ends in time`, async () => {
        const r = await soakOnce(kind, seed, redis, undefined, {}, { quick: true, boundMs: BOUND_MS[kind] });
        results.push(r);
        console.log(`soak ${kind} seed ${seed}: ${r.outcome}; ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
        // The run did something: documents were written and acknowledged, the job got past its plan.
        expect(Number(r.figures.ackedDocs), 'the acked writer wrote nothing').toBeGreaterThan(0);
        expect(r.violations, `replay: ${r.replay}`).toEqual([]);
        // And it finished: every schedule's chaos is survivable (kills resume, faults are retried, a failed boot
        // is waited out, no override is needed), so a clean stop or failure is a finding too.
        expect(r.outcome, `replay: ${r.replay}; thread: ${r.figures.thread}`).toBe('completed');
        // The transient faults every schedule has were met: an ES 429/5xx window, and AWS throttling for an upgrade.
        const hits = JSON.parse(String(r.figures.proxyFaults)) as { es: Record<string, number>; aws: Record<string, number> };
        const esErrors = Object.entries(hits.es).filter(([k]) => (kind === 'upgrade' ? /^error (429|5\d\d)$/ : /^error 5\d\d$/).test(k));
        expect(esErrors.reduce((a, [, n]) => a + n, 0), `ES faults answered to the bot: ${JSON.stringify(hits)}`).toBeGreaterThan(0);
        if (kind === 'upgrade') expect(hits.aws.throttle ?? 0, `AWS faults answered to the bot: ${JSON.stringify(hits)}`).toBeGreaterThan(0);
        // And the read-only Redis window fell while a worker was running the job.
        expect(r.figures.readOnlyWhile, 'the job state when Redis turned read-only').toBe('active');
      }, BOUND_MS[kind] + 30_000);
    }
  }
});
