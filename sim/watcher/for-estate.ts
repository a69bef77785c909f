import type { Estate } from '../estate';
import { Watcher, type WatcherOptions } from './watcher';

/**
 * A watcher pointed at a simulated estate's public endpoints — what a real estate's URLs and credentials would
 * be. Only the estate's type is imported: the watcher never reads the simulators' bookkeeping.
 */
export function watchEstate(estate: Estate, o: Partial<WatcherOptions> & { expectedNodes: number }): Watcher {
  return new Watcher({
    elasticsearch: { url: estate.es.url },
    aws: { region: estate.aws.region, endpoint: estate.aws.url, credentials: estate.aws.credentials, groups: [estate.groups.masters, estate.groups.data] },
    now: () => estate.clock.now(),
    // About one look per simulated cluster tick (250 clock ms), never more often than every 10 real ms.
    pollMs: Math.max(10, estate.clock.toReal(250)),
    awsPollMs: Math.max(50, estate.clock.toReal(2_000)),
    ...o,
  });
}
