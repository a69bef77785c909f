/**
 * The real worker, except for one simulator gap (reported): the ES simulator has no
 * `GET _cluster/state/metadata`, so reading voting exclusions answers "none" there instead of failing. The
 * in-process tests read the simulator's ground truth for the same fact; everything else is the real thing.
 */
import { commands } from '../../../commands';
import { jobModules } from '../../../jobs/registry';
import { upgradeJob } from '../../../jobs/upgrade';
import { runMain } from '../../../src/run-main';

const upgrade: typeof upgradeJob = {
  definition: upgradeJob.definition,
  createDeps(cluster, env) {
    const deps = upgradeJob.createDeps(cluster, env);
    const read = deps.es.votingExclusions.bind(deps.es);
    deps.es.votingExclusions = () => read().catch((e: Error) => (/no handler found for uri \[\/_cluster\/state/.test(e.message) ? [] : Promise.reject(e)));
    return deps;
  },
};

await runMain('worker', { modules: { ...jobModules, upgrade }, commands });
