import { pyFloatRepr, PyFloat } from '../../src/rules/py-values';

/**
 * Elastalert's global config.yaml for a cluster at `esUrl` with its rules in `rulesFolder`: the example
 * config's run_every and buffer_time, the writeback index's usual name, then `extra`.
 */
export function elastalertConfig(esUrl: string, rulesFolder: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const es = new URL(esUrl);
  return {
    rules_folder: rulesFolder,
    es_host: es.hostname,
    es_port: Number(es.port || (es.protocol === 'https:' ? 443 : 80)),
    use_ssl: es.protocol === 'https:',
    writeback_index: 'elastalert_status',
    run_every: { minutes: 1 },
    buffer_time: { minutes: 15 },
    ...extra,
  };
}

/**
 * A rule as loaded by src/rules (Python values) written back as YAML PyYAML reads with the same types: JSON is
 * YAML, and a PyFloat is written with its decimal point so `spike_height: 2.0` stays a float (it prints `2.0`).
 */
export function ruleYaml(v: unknown): string {
  if (v instanceof PyFloat) return Number.isFinite(v.value) ? pyFloatRepr(v.value) : v.value > 0 ? '.inf' : v.value < 0 ? '-.inf' : '.nan';
  if (Array.isArray(v)) return `[${v.map(ruleYaml).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${ruleYaml(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? 'null';
}
