/**
 * The read port alert delivery uses for its chart: a rule's matching documents per interval on one cluster,
 * through the official Elasticsearch client (the rule's own query, via src/elasticsearch/rule-data.ts).
 * Read-only; one client per cluster, made on first use.
 */
import type { Client } from '@elastic/elasticsearch';
import type { CountPoint } from '../charts/render-counts-chart';
import type { Config } from '../config/schema';
import { createEsClient } from '../elasticsearch/client';
import { ruleDataFor } from '../elasticsearch/rule-data';
import type { RuleConfig } from '../rules';

export interface AlertCountsPort {
  /** Counts per `intervalMs` over (from, to], oldest first, zeros filled in; undefined when `cluster` is not configured. */
  counts(cluster: string, rule: RuleConfig, from: number, to: number, intervalMs: number): Promise<CountPoint[] | undefined>;
}

export function esAlertCounts(config: Config): AlertCountsPort {
  const clients = new Map<string, Client>();
  return {
    async counts(cluster, rule, from, to, intervalMs) {
      const c = config.clusters[cluster];
      if (!c) return undefined;
      let es = clients.get(cluster);
      if (!es) clients.set(cluster, (es = createEsClient(c.elasticsearch)));
      const data = ruleDataFor(es, rule);
      // One date_histogram; bucket keys are the (k, k + interval] segments' starts, aligned on `from`.
      const byStart = await data.countBuckets!(from, to, intervalMs);
      const out: CountPoint[] = [];
      for (let ts = from; ts < to; ts += intervalMs) out.push({ ts, count: byStart.get(ts) ?? 0 });
      return out;
    },
  };
}
