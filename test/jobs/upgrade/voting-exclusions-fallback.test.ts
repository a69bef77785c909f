import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildPlan, type Plan } from '../../../jobs/upgrade/plan';
import { allMastersPresentAndElected } from '../../../jobs/upgrade/predicates';
import type { UpgradeDeps } from '../../../jobs/upgrade/ports';
import { estateDeps } from '../../../sim/seed/upgrade-deps';
import { seedEstate, type SeededEstate } from '../../../sim/seed/upgrade-seed';
import { fakeCtx } from './fake-estate';

/**
 * `_cluster/state/metadata` is a format Elastic calls internal, so the adapter reads it twice before it gives
 * up: by its exact path, then by a wildcard filter_path. Over HTTP, against the simulator's fault knob (which
 * answers only the request whose query names the exact path): the fallback read is what answers when the
 * first is refused or has another shape; when both fail the answer is "unknown", and the quorum predicate
 * blocks on it — it never reads as "no exclusions".
 */
let seeded: SeededEstate;
let deps: UpgradeDeps;
let plan: Plan;
beforeAll(async () => {
  seeded = await seedEstate({ speed: 200 });
  deps = estateDeps(seeded.estate);
  plan = await buildPlan(deps, {}, 0);
  // Someone else's exclusion: only a read that really saw the list can report it.
  await deps.es.addVotingExclusion('es-master-2');
});
afterAll(async () => {
  seeded?.series.stop();
  await seeded?.estate.close();
});

const faults = () => seeded.estate.es.cluster.knobs.faults;
beforeEach(() => void faults().splice(0));

const EXACT = /filter_path=metadata\.cluster_coordination$/;
const WILDCARD = /filter_path=\*\*\.voting_config_exclusions$/;
const STATE = /^\/_cluster\/state\/metadata$/;
/** The quorum predicate before a terminate of a master that is neither elected nor the excluded one. */
const quorum = async () => {
  const elected = await deps.es.electedMaster();
  const node = plan.nodes.find((n) => n.kind === 'master' && n.name !== elected && n.name !== 'es-master-2')!;
  return allMastersPresentAndElected(node).check(fakeCtx(deps, { state: { plan } }).ctx as never);
};

describe('voting exclusions: the fallback read of _cluster/state/metadata, over HTTP', () => {
  it('without faults the exact read answers (the fallback is not needed)', async () => {
    faults().push({ method: 'GET', path: STATE, query: WILDCARD, status: 500, times: 1 });
    expect(await deps.es.votingExclusions()).toEqual({ known: true, names: ['es-master-2'] });
    // The wildcard read was never made: its fault is still armed.
    expect(faults()).toHaveLength(1);
  });

  it.each([400, 403, 404])('the exact read answers HTTP %i: the wildcard read answers instead', async (status) => {
    faults().push({ method: 'GET', path: STATE, query: EXACT, status, times: 1 });
    expect(await deps.es.votingExclusions()).toEqual({ known: true, names: ['es-master-2'] });
    expect(faults(), 'the exact read was made and refused').toHaveLength(0);
  });

  it('the exact read has another shape (a later version moved the list): the wildcard read finds it', async () => {
    const moved = { metadata: { cluster_coordination_v2: { term: 4 } } };
    faults().push({ method: 'GET', path: STATE, query: EXACT, status: 200, body: moved, times: 1 });
    expect(await deps.es.votingExclusions()).toEqual({ known: true, names: ['es-master-2'] });
    expect(faults()).toHaveLength(0);
  });

  it('both reads refused: "unknown", naming the refusal; the quorum predicate blocks on it', async () => {
    faults().push({ method: 'GET', path: STATE, query: EXACT, status: 404, times: 1 }, { method: 'GET', path: STATE, query: WILDCARD, status: 400, times: 1 });
    const r = await deps.es.votingExclusions();
    expect(r).toMatchObject({ known: false, why: expect.stringMatching(/GET _cluster\/state\/metadata answered HTTP 404/) });
    expect(faults()).toHaveLength(0);
    faults().push({ method: 'GET', path: STATE, status: 404, times: 2 });
    expect(await quorum()).toEqual({ ok: false, reason: expect.stringMatching(/^the voting configuration exclusions are unknown: GET _cluster\/state\/metadata answered HTTP 404/) });
  });

  it('both reads of another shape: "unknown" with what each found, and the predicate blocks — never "none"', async () => {
    faults().push(
      { method: 'GET', path: STATE, query: EXACT, status: 200, body: { metadata: {} }, times: 1 },
      { method: 'GET', path: STATE, query: WILDCARD, status: 200, body: { metadata: { coordination: { exclusions: 'es-master-2' } } }, times: 1 },
    );
    const r = await deps.es.votingExclusions();
    expect(r).toMatchObject({ known: false, why: expect.stringMatching(/at metadata\.cluster_coordination .*; .*anywhere in its metadata/) });
    faults().push({ method: 'GET', path: STATE, status: 200, body: {}, times: 2 });
    expect(await quorum()).toMatchObject({ ok: false, reason: expect.stringMatching(/^the voting configuration exclusions are unknown/) });
  });

  it('with the reads answering, the predicate sees the exclusion someone else left (so the blocks above are the unknown case)', async () => {
    expect(await quorum()).toMatchObject({ ok: false, reason: expect.stringMatching(/voting configuration exclusion in place for es-master-2/) });
    await deps.es.clearVotingExclusions();
    expect(await quorum()).toEqual({ ok: true });
    await deps.es.addVotingExclusion('es-master-2');
  });

  it('a transient 5xx is not taken for "unknown": it reaches the caller, whose retry policy waits it out', async () => {
    // More 503s than the client's own three quick retries.
    faults().push({ method: 'GET', path: STATE, query: EXACT, status: 503, times: 4 });
    await expect(deps.es.votingExclusions()).rejects.toMatchObject({ meta: { statusCode: 503 } });
    expect(faults(), 'the wildcard read was not made in its place').toHaveLength(0);
  });
});
