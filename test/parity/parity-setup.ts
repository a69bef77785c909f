import { expect } from 'vitest';
import { scaledClock } from '../../src/clock';
import { createEsClient } from '../../src/elasticsearch/client';
import { validateRule, type RuleConfig } from '../../src/rules';
import { startElasticsearchSimulator } from '../../sim/elasticsearch';
import { DATA_SETS, END, START, type Cell } from './parity-cells';

/** What both parity files share: the range, a cell's rule as Elastalert reads it and as the engine does, the cluster. */
export const FROM = Date.parse(START);
export const TO = Date.parse(END);

/** YAML cannot carry undefined (a cell unsets realert that way, to get Elastalert's default). */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
export const yamlRule = (c: Cell) => defined({ name: c.name, index: `parity-${c.data}-*`, ...c.rule });

export function ruleOf(c: Cell): RuleConfig {
  const v = validateRule({ file: `${c.name}.yaml`, raw: { ...yamlRule(c), alert: 'debug' }, imports: [], secretValues: [] });
  expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return v.rule!;
}

/** The match as it leaves Elastalert: JSON, @timestamp in dt_to_ts form. */
export const asJson = (m: Record<string, unknown>) => JSON.parse(JSON.stringify(m)) as Record<string, unknown>;

/** One 7.17 node holding every data set in its own daily index, and a client on it. */
export async function startParityCluster() {
  const sim = await startElasticsearchSimulator({ clock: scaledClock(1) });
  sim.cluster.seedNode({ name: 'es-1', ip: '10.0.0.1', version: '7.17.25', roles: ['master', 'data'] });
  for (const d of Object.values(DATA_SETS)) sim.cluster.createIndex(`parity-${d.name}-2024.01.01`, { shards: 2, replicas: 0, docs: d.docs.map((x) => ({ ...x })) });
  return { sim, es: createEsClient({ url: sim.url } as never) };
}
