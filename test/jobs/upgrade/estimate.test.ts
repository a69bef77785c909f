import { describe, expect, it } from 'vitest';
import { basisFrom, describeBasis, nodeEstimateMs } from '../../../jobs/upgrade/estimate';
import { buildPlan, formatPlan } from '../../../jobs/upgrade/plan';
import { parseByteSize } from '../../../src/elasticsearch/byte-size';
import { remainingMs } from '../../../src/runner/eta';
import { fakeEstate, NINE } from './fake-estate';

const MIN = 60_000;
const GB = 1024 ** 3;
const MB = 1024 ** 2;
const CONFIG = { bootEstimate: 4 * MIN, recoveryMbPerSec: 100 };

describe('ES byte sizes', () => {
  it('parses binary units case-insensitively, with fractions, and refuses what ES refuses', () => {
    expect(parseByteSize('40mb')).toBe(40 * MB);
    expect(parseByteSize('1.5GB')).toBe(1.5 * GB);
    expect(parseByteSize('512k')).toBe(512 * 1024);
    expect(parseByteSize('100b')).toBe(100);
    expect(parseByteSize(' 2tb ')).toBe(2 * 1024 * GB);
    expect(parseByteSize('0')).toBe(0);
    expect(parseByteSize('-1')).toBe(-1);
    for (const bad of ['40', '40 megabytes', 'mb', '', undefined, '-5mb']) expect(parseByteSize(bad)).toBeUndefined();
  });
});

describe('the plan estimate, from the cluster\'s recovery figures', () => {
  const cluster = basisFrom({ maxBytesPerSec: 40 * MB, concurrentRecoveries: 2, throttleFrom: 'default' }, CONFIG);

  it('a data node moves its bytes twice at the throttle, plus one boot; a master only boots', () => {
    // 12 GB at 40 MiB/s = 307.2 s each way.
    expect(nodeEstimateMs('data', 12 * GB, cluster)).toBe(4 * MIN + 2 * 307_200);
    expect(nodeEstimateMs('master', 12 * GB, cluster)).toBe(4 * MIN);
    // The throttle is per node and shared: more concurrent recoveries must not make it faster.
    const four = basisFrom({ maxBytesPerSec: 40 * MB, concurrentRecoveries: 4, throttleFrom: 'default' }, CONFIG);
    expect(nodeEstimateMs('data', 12 * GB, four)).toBe(nodeEstimateMs('data', 12 * GB, cluster));
  });

  it('the cluster\'s throttle wins over the config; the config stands in when unthrottled or unreadable', () => {
    expect(cluster.bytesPerSec).toBe(40 * MB);
    expect(basisFrom({ maxBytesPerSec: 0, concurrentRecoveries: 2, throttleFrom: 'persistent' }, CONFIG)).toMatchObject({ bytesPerSec: 100 * MB, throughputFrom: expect.stringMatching(/unthrottled/) });
    expect(basisFrom(new Error('HTTP 403'), CONFIG)).toMatchObject({ bytesPerSec: 100 * MB, throughputFrom: expect.stringMatching(/could not be read \(HTTP 403\)/) });
  });

  it('says what it is made of', () => {
    expect(describeBasis(12 * GB, cluster)).toBe(
      '~12.0 GB to move twice (drain, then onto the replacement) at 40 MB/s (indices.recovery.max_bytes_per_sec, default; a per-node limit shared by 2 concurrent recoveries), boot ~4m per node (config, until one is seen)',
    );
  });

  it('buildPlan uses the cluster\'s figures and the shard sizes, and falls back when the read fails', async () => {
    const { deps, es } = fakeEstate(NINE);
    deps.settings = { ...deps.settings, ...CONFIG };
    es.shardList = [
      { index: 'logs', shard: 0, primary: true, state: 'STARTED', node: 'es-data-1', bytes: 8 * GB },
      { index: 'logs', shard: 1, primary: true, state: 'STARTED', node: 'es-data-1', bytes: 4 * GB },
    ];
    es.recovery = { maxBytesPerSec: 20 * MB, concurrentRecoveries: 3, throttleFrom: 'transient' };
    const plan = await buildPlan(deps, {}, 0);
    expect(plan.nodes.find((n) => n.name === 'es-data-1')!.estimateMs).toBe(4 * MIN + 2 * 614_400);
    expect(plan.estimateMs).toBe(9 * 4 * MIN + 2 * 614_400);
    expect(formatPlan(plan)).toContain('Estimate: ~12.0 GB to move twice (drain, then onto the replacement) at 20 MB/s (indices.recovery.max_bytes_per_sec, transient; a per-node limit shared by 3 concurrent recoveries)');
    es.recovery = new Error('security_exception');
    expect(formatPlan(await buildPlan(deps, {}, 0))).toMatch(/at 100 MB\/s \(config: the cluster's recovery settings could not be read \(security_exception\)\)/);
  });

  it('once a node is replaced, the card re-estimates the rest from its measured time', () => {
    const groups = { 'es-data-1': nodeEstimateMs('data', 12 * GB, cluster), 'es-data-2': nodeEstimateMs('data', 12 * GB, cluster) };
    // The copies ran at the throttle, but the boot took ~18 min, not 4: the node took twice its estimate.
    const done = [
      { step: 'es-data-1/drain', workMs: 307_200 },
      { step: 'es-data-1/await-replacement', workMs: 2 * groups['es-data-1'] - 2 * 307_200 },
      { step: 'es-data-1/await-green', workMs: 307_200 },
    ];
    const remaining = ['es-data-2/drain', 'es-data-2/await-replacement', 'es-data-2/await-green'];
    expect(remainingMs({ estimate: { totalMs: 0, groups }, done, remaining })).toBe(2 * groups['es-data-2']);
  });
});
