import { parseArgs } from 'node:util';
import { AofRedis } from './aof-redis';
import { soakOnce, type SoakResult } from './soak-run';
import type { SoakKind } from './schedule';

/**
 * `npm run soak -- --runs 20` (seeds from --seed, default 1, upwards), `npm run soak -- --seed 1234 --kind upgrade`
 * to replay one; `--quick` replaces only the data nodes in an upgrade, as the CI soak does. Prints each run's figures and every violation with the command that replays it.
 */
async function main() {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, runs: { type: 'string' }, kind: { type: 'string' }, verbose: { type: 'boolean', short: 'v' }, quick: { type: 'boolean' } },
  });
  const first = Number(values.seed ?? 1);
  const runs = Number(values.runs ?? 1);
  const kinds: SoakKind[] = values.kind ? [values.kind as SoakKind] : ['upgrade', 'reindex'];
  if (!kinds.every((k) => k === 'upgrade' || k === 'reindex')) throw new Error(`--kind is upgrade or reindex, not ${values.kind}`);
  const redis = await AofRedis.start();
  const results: SoakResult[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      for (const kind of kinds) {
        const seed = first + i;
        console.log(`soak ${kind} seed ${seed} …`);
        const r = await soakOnce(kind, seed, redis, values.verbose ? console.log : undefined, {}, { quick: values.quick });
        results.push(r);
        console.log(`  ${r.outcome}; ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
        for (const v of r.violations) console.log(`  VIOLATION ${v}\n    replay: ${r.replay}`);
      }
    }
  } finally {
    await redis.stop();
  }
  const bad = results.filter((r) => r.violations.length);
  console.log(`\n${results.length} runs, ${bad.length} with violations`);
  for (const r of bad) console.log(`  ${r.replay}   # ${r.violations.length}: ${r.violations[0].slice(0, 160)}`);
  process.exit(bad.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
