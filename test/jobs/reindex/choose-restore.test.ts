import { describe, expect, it } from 'vitest';
import { chooseRestore, type RestoreFacts } from '../../../jobs/reindex/choose-restore';

const MB = 1024 ** 2;
const base: RestoreFacts = { copyMs: 60_000, primaryBytes: 800 * MB, shards: 2, replicas: 1, dataNodes: 3, throttle: { maxBytesPerSec: 40 * MB, throttleFrom: 'default' } };

describe('chooseRestore', () => {
  it('clones when the replicas recover within the time a second copy would take', () => {
    // 2 replica copies over 3 nodes: one 400 MB copy per node, 10 s at 40 MB/s, against a 60 s copy.
    const c = chooseRestore(base);
    expect(c.via).toBe('clone');
    expect(c.why).toBe("a clone's 2 replica copies (400.0 MB each, 1 per node) need ~10 s to recover at 40.0 MB/s (indices.recovery.max_bytes_per_sec, default); the first copy took 1m");
  });

  it('reindexes when recovery would clearly take longer, and keeps the clone on a near-tie', () => {
    expect(chooseRestore({ ...base, copyMs: 5_000 }).via).toBe('reindex');
    // 10 s of recovery against an 8.5 s copy: within the margin the clone keeps.
    expect(chooseRestore({ ...base, copyMs: 8_500 }).via).toBe('clone');
  });

  it('counts the replicas that land on one node against that node’s throttle', () => {
    // 6 shards × 2 replicas over 3 nodes: 4 copies of 133 MB on each node, ~13 s; one node only: 40 s.
    expect(chooseRestore({ ...base, primaryBytes: 800 * MB, shards: 6, replicas: 2, copyMs: 12_000 }).via).toBe('clone');
    expect(chooseRestore({ ...base, primaryBytes: 800 * MB, shards: 6, replicas: 2, dataNodes: 1, copyMs: 12_000 }).via).toBe('reindex');
  });

  it('clones when nothing needs recovering or the throttle is off or unreadable', () => {
    expect(chooseRestore({ ...base, replicas: 0, copyMs: 1 }).via).toBe('clone');
    expect(chooseRestore({ ...base, copyMs: 1, throttle: { maxBytesPerSec: -1, throttleFrom: 'persistent' } }).why).toMatch(/unthrottled/);
    expect(chooseRestore({ ...base, copyMs: 1, throttle: new Error('HTTP 403') }).why).toMatch(/could not be read \(HTTP 403\)/);
  });
});
