import type { Client } from '@elastic/elasticsearch';
import type { RecoverySettings } from '../../jobs/upgrade/ports';
import { parseByteSize } from './byte-size';

const THROTTLE = 'indices.recovery.max_bytes_per_sec';
const CONCURRENT = 'cluster.routing.allocation.node_concurrent_recoveries';

/** GET _cluster/settings?include_defaults: the recovery throttle and concurrency in force (transient over persistent). */
export async function readRecoverySettings(es: Client): Promise<RecoverySettings> {
  const r = (await es.cluster.getSettings({ include_defaults: true, flat_settings: true })) as unknown as Record<'persistent' | 'transient' | 'defaults', Record<string, unknown> | undefined>;
  const pick = (key: string) => {
    for (const from of ['transient', 'persistent', 'defaults'] as const) {
      const v = r[from]?.[key];
      if (v !== undefined && v !== null && v !== '') return { v, from: from === 'defaults' ? ('default' as const) : from };
    }
    return undefined;
  };
  // Absent from the answer only on an odd proxy or version: ES's documented defaults stand in.
  const throttle = pick(THROTTLE) ?? { v: '40mb', from: 'default' as const };
  const bytes = parseByteSize(throttle.v);
  if (bytes === undefined) throw new Error(`${THROTTLE} is ${JSON.stringify(throttle.v)} (${throttle.from}), not a byte size`);
  const concurrent = Number(pick(CONCURRENT)?.v ?? 2);
  if (!Number.isInteger(concurrent) || concurrent < 1) throw new Error(`${CONCURRENT} is ${JSON.stringify(pick(CONCURRENT)?.v)}, not a positive whole number`);
  return { maxBytesPerSec: bytes, concurrentRecoveries: concurrent, throttleFrom: throttle.from };
}
