import { afterEach, describe, expect, it } from 'vitest';
import { seedEstate, type SeededEstate } from '../../../sim/seed/upgrade-seed';
import { estateDeps } from '../../../sim/seed/upgrade-deps';
import { parseVotingExclusions } from '../../../src/elasticsearch/voting-exclusions';
import { longPollTimeout } from '../../../src/elasticsearch/long-poll-timeout';
import { scaledClock } from '../../../src/clock';

let seeded: SeededEstate | undefined;
afterEach(async () => {
  seeded?.series.stop();
  await seeded?.estate.close();
  seeded = undefined;
});

describe('voting exclusions from _cluster/state/metadata (a format Elastic calls internal)', () => {
  it('reads them over HTTP with the official client', async () => {
    seeded = await seedEstate({ speed: 200 });
    const { es } = estateDeps(seeded.estate);
    expect(await es.votingExclusions()).toEqual({ known: true, names: [] });
    await es.addVotingExclusion('es-master-2');
    expect(await es.votingExclusions()).toEqual({ known: true, names: ['es-master-2'] });
  });

  it('a body of another shape is "unknown" with what was found, never a crash or a silent "none"', () => {
    expect(parseVotingExclusions({ metadata: { cluster_coordination: { term: 3, voting_config_exclusions: [{ node_id: 'x', node_name: 'es-master-1' }] } } }, 'exact')).toEqual({ known: true, names: ['es-master-1'] });
    const missing = parseVotingExclusions({ metadata: { coordination: {} } }, 'exact');
    expect(missing).toMatchObject({ known: false, why: expect.stringMatching(/no readable voting_config_exclusions at metadata\.cluster_coordination .*check `GET _cluster\/state\/metadata/) });
    expect(parseVotingExclusions({ metadata: { cluster_coordination: { voting_config_exclusions: { 'es-master-1': {} } } } }, 'exact')).toMatchObject({ known: false, why: expect.stringMatching(/is a object, not a list/) });
    expect(parseVotingExclusions({ metadata: { cluster_coordination: { voting_config_exclusions: [{ node_id: 'abc' }] } } }, 'exact')).toMatchObject({ known: false, why: expect.stringMatching(/without a node name/) });
    // The wildcard fallback finds the list where a later version may have moved it.
    expect(parseVotingExclusions({ metadata: { coordination_v2: { voting_config_exclusions: ['es-master-3'] } } }, 'anywhere')).toEqual({ known: true, names: ['es-master-3'] });
    expect(parseVotingExclusions({}, 'anywhere')).toMatchObject({ known: false });
    expect(parseVotingExclusions(undefined, 'exact')).toMatchObject({ known: false });
  });
});

describe('long-poll timeouts sent to Elasticsearch', () => {
  it('are whole, non-negative, capped clock milliseconds; the HTTP timeout outlasts them in real time', () => {
    const fast = scaledClock(300);
    expect(longPollTimeout(30_000, fast)).toEqual({ timeout: '30000ms', requestTimeoutMs: 100 + 30_000 });
    expect(longPollTimeout(-5, fast).timeout).toBe('0ms');
    expect(longPollTimeout(Number.NaN).timeout).toBe('0ms');
    expect(longPollTimeout(1234.7).timeout).toBe('1234ms');
    expect(longPollTimeout(3_600_000)).toEqual({ timeout: '300000ms', requestTimeoutMs: 330_000 });
  });
});
