import type { Client } from '@elastic/elasticsearch';

export type Health = 'green' | 'yellow' | 'red';

export interface HealthSample {
  /** Clock time the answer arrived. */
  at: number;
  status?: Health;
  nodes?: number;
  unassignedPrimaries?: number;
  /** Why there is no reading (no master, 5xx, connection refused …). */
  error?: string;
}

/**
 * One look at `_cluster/health`. 8.x reports unassigned primaries itself; 7.17 does not, so a cluster that is
 * not green is asked `_cat/shards` as well (cheap, and only when something is amiss).
 */
export async function sampleHealth(es: Client, now: () => number): Promise<HealthSample> {
  try {
    // A short master timeout: a masterless cluster is a reading ("no master"), not a reason to stall the poll loop.
    const h = await es.cluster.health({ master_timeout: '2s', timeout: '2s' });
    let unassignedPrimaries = (h as { unassigned_primary_shards?: number }).unassigned_primary_shards;
    if (unassignedPrimaries === undefined) {
      unassignedPrimaries = h.status === 'green' ? 0 : await countUnassignedPrimaries(es).catch(() => undefined);
    }
    return { at: now(), status: h.status.toLowerCase() as Health, nodes: h.number_of_nodes, unassignedPrimaries };
  } catch (e) {
    return { at: now(), error: describeError(e) };
  }
}

async function countUnassignedPrimaries(es: Client): Promise<number> {
  const rows = (await es.cat.shards({ format: 'json', h: 'prirep,state' })) as Array<{ prirep?: string; state?: string }>;
  return rows.filter((r) => r.prirep === 'p' && r.state === 'UNASSIGNED').length;
}

export function describeError(e: unknown): string {
  const err = e as { meta?: { statusCode?: number; body?: { error?: { type?: string } } }; name?: string; message?: string; code?: string };
  const status = err?.meta?.statusCode;
  const type = err?.meta?.body?.error?.type;
  if (status !== undefined) return `HTTP ${status}${type ? ` ${type}` : ''}`;
  return err?.code ?? err?.name ?? String(e);
}
