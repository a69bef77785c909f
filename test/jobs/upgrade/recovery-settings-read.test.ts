import { afterEach, describe, expect, it } from 'vitest';
import { EsUpgradeAdapter } from '../../../src/elasticsearch/upgrade-port';
import { startSim, type SimHarness } from '../../sim/elasticsearch/sim-harness';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MB = 1024 ** 2;

describe('the recovery figures, read over HTTP from the simulator with the official client', () => {
  it('come from the defaults, then persistent, then transient (transient wins), in ES byte units', async () => {
    h = await startSim();
    const es = new EsUpgradeAdapter(h.client);
    expect(await es.recoverySettings()).toEqual({ maxBytesPerSec: 40 * MB, concurrentRecoveries: 2, throttleFrom: 'default' });

    await h.client.cluster.putSettings({ persistent: { 'indices.recovery.max_bytes_per_sec': '100mb', 'cluster.routing.allocation.node_concurrent_recoveries': 4 } });
    expect(await es.recoverySettings()).toEqual({ maxBytesPerSec: 100 * MB, concurrentRecoveries: 4, throttleFrom: 'persistent' });

    // Nested (not flat) input, as many runbooks write it; ES stores it flat all the same.
    await h.client.cluster.putSettings({ transient: { indices: { recovery: { max_bytes_per_sec: '1.5gb' } } } });
    expect(await es.recoverySettings()).toEqual({ maxBytesPerSec: 1.5 * 1024 * MB, concurrentRecoveries: 4, throttleFrom: 'transient' });

    await h.client.cluster.putSettings({ transient: { 'indices.recovery.max_bytes_per_sec': null }, persistent: { 'indices.recovery.max_bytes_per_sec': '0' } });
    expect(await es.recoverySettings()).toMatchObject({ maxBytesPerSec: 0, throttleFrom: 'persistent' });
  });

  it('a value that is not a byte size is an error that names it, not a guess', async () => {
    h = await startSim();
    await h.client.cluster.putSettings({ persistent: { 'indices.recovery.max_bytes_per_sec': 'fast' } });
    await expect(new EsUpgradeAdapter(h.client).recoverySettings()).rejects.toThrow(/indices\.recovery\.max_bytes_per_sec is "fast" \(persistent\), not a byte size/);
  });
});
