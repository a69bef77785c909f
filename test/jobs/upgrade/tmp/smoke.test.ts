import { it } from 'vitest';
import { seedEstate } from '../seed-estate';
import { estateDeps } from '../estate-deps';
import { runUpgrade } from '../run-upgrade';
import { formatDuration } from '../../../../src/config/duration';

it('smoke', async () => {
  const s = await seedEstate();
  try {
    const t0 = Date.now();
    const r = await runUpgrade({ deps: estateDeps(s.estate), clock: s.estate.clock });
    console.log(r.outcome, r.detail, Date.now() - t0, 'ms real');
    for (const rec of r.data.records) console.log(rec.step, formatDuration(rec.finishedAt - rec.startedAt), rec.summary);
    console.log(r.said.filter((x) => !x.startsWith('waiting') && !/still to move|initializing,/.test(x)).join('\n'));
    console.log(r.summary, r.blockedBy.slice(0, 10));
    console.log(s.estate.es.cluster.observations, s.estate.aws.sim.terminations.length);
  } finally {
    s.series.stop();
    await s.estate.close();
  }
});
