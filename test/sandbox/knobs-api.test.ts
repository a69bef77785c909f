import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnobsApi, type KnobsApi } from '../../sim/sandbox/knobs-api';
import { startEstate, type Estate } from '../../sim/estate';

describe('sandbox knobs API', () => {
  let estate: Estate;
  let api: KnobsApi;

  beforeAll(async () => {
    estate = await startEstate({ masters: 3, data: 3, speed: 100 });
    api = await startKnobsApi(estate, 0);
  });
  afterAll(async () => {
    await api?.close();
    await estate?.close();
  });

  const get = async () => (await fetch(`${api.url}/knobs`)).json();
  const post = async (body: unknown) => {
    const res = await fetch(`${api.url}/knobs`, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };

  it('listens on loopback only', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('GET returns the simulators’ defaults, Sets as arrays', async () => {
    const knobs = await get();
    expect(knobs.es).toMatchObject({ refreshLagMs: 0, joinDelayMs: 5_000, neverJoin: [], faults: [] });
    expect(knobs.aws).toMatchObject({ bootMs: 90_000, failBoot: 0, deny: [], faults: [] });
  });

  it('POST applies to the running estate and answers with the new values', async () => {
    const sent = await post({
      es: { refreshLagMs: 2000, neverJoin: ['es-data-3'], faults: [{ path: '_cluster/health', status: 503, times: 3 }] },
      aws: { failBoot: 1, deny: ['TerminateInstances'] },
    });
    expect(sent.status).toBe(200);
    // RegExp.source escapes the slash; posting it back means the same pattern.
    expect(sent.body.es).toMatchObject({ refreshLagMs: 2000, neverJoin: ['es-data-3'], faults: [{ path: '_cluster\\/health', status: 503, times: 3 }] });
    expect(sent.body.aws).toMatchObject({ failBoot: 1, deny: ['TerminateInstances'], bootMs: 90_000 });

    const es = estate.es.cluster.knobs;
    const aws = estate.aws.sim.knobs;
    expect(es.refreshLagMs).toBe(2000);
    expect([...es.neverJoin]).toEqual(['es-data-3']);
    expect(es.faults[0].path).toBeInstanceOf(RegExp);
    expect(aws.failBoot).toBe(1);
    expect(aws.deny.has('TerminateInstances')).toBe(true);

    // The injected fault is live: the simulated cluster answers it through its own HTTP endpoint.
    expect((await fetch(`${estate.es.url}/_cluster/health`)).status).toBe(503);
  });

  it('rejects an unknown knob with 400, naming it and the accepted ones, and changes nothing', async () => {
    const before = await get();
    const sent = await post({ es: { refreshLagMs: 5, refreshLag: 10 } });
    expect(sent.status).toBe(400);
    expect(sent.body.error).toContain('"refreshLag"');
    expect(sent.body.error).toContain('accepted: recoveryBytesPerSec, joinDelayMs');
    expect(await get()).toEqual(before);
  });

  it('rejects a negative number or a wrong type with 400, naming the key, and changes nothing', async () => {
    const before = await get();
    const negative = await post({ es: { joinDelayMs: 1 }, aws: { bootMs: -1 } });
    expect(negative.status).toBe(400);
    expect(negative.body.error).toMatch(/^aws\.bootMs: /);
    const wrongType = await post({ aws: { deny: 'TerminateInstances' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatch(/^aws\.deny: /);
    expect(await get()).toEqual(before);
    expect(estate.es.cluster.knobs.joinDelayMs).toBe(5_000);
  });

  it('rejects an unknown section and a body that is not JSON', async () => {
    const section = await post({ gcp: {} });
    expect(section).toMatchObject({ status: 400, body: { error: 'unknown section "gcp"; accepted: es, aws' } });
    const res = await fetch(`${api.url}/knobs`, { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
  });
});
