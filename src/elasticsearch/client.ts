import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import type { ClusterConfig } from '../config/schema';

/**
 * The one place that builds an Elasticsearch client. The v8 client is pinned on purpose: v9 clients send
 * `compatible-with=9`, which 8.x servers refuse, and during a 7.17 → 8.x upgrade the load balancer answers
 * from both versions — a v8 client talks to both.
 */
export function createEsClient(cfg: ClusterConfig['elasticsearch']): Client {
  const auth = cfg.auth && ('apiKey' in cfg.auth ? { apiKey: cfg.auth.apiKey } : { username: cfg.auth.username, password: cfg.auth.password });
  return new Client({
    node: cfg.url,
    auth,
    tls: cfg.caFile ? { ca: readFileSync(cfg.caFile) } : undefined,
    requestTimeout: cfg.requestTimeout,
    // Transient 502/503/504 and connection resets are retried by the client; anything else reaches the step.
    maxRetries: 3,
  });
}
