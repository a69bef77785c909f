import type { estypes } from '@elastic/elasticsearch';

export const compareVersions = (a: string, b: string): number => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

export const majorOf = (v: string): number => Number(v.split('.')[0]);

const KNOWN: Record<string, { lucene: string; hash: string; date: string }> = {
  '8.15.0': { lucene: '9.11.1', hash: '1a77947f34deddb41af25e6f0ddb8e830159c179', date: '2024-08-05T10:05:34.233336849Z' },
  '7.17.25': { lucene: '8.11.3', hash: 'f9b6b57d1d0f76e2d14291c04fb50abeb642cfbf', date: '2024-10-16T22:06:36.904732810Z' },
};

/** The `version` object of `GET /` as a node of that version reports it. */
export function versionInfo(version: string): estypes.ElasticsearchVersionInfo {
  const known = KNOWN[version];
  const major = majorOf(version);
  return {
    number: version,
    build_flavor: 'default',
    build_type: major >= 8 ? 'docker' : 'tar',
    build_hash: known?.hash ?? '0'.repeat(40),
    build_date: known?.date ?? '2024-01-01T00:00:00.000000000Z',
    build_snapshot: false,
    lucene_version: known?.lucene ?? (major >= 8 ? '9.11.1' : '8.11.3'),
    minimum_wire_compatibility_version: major >= 8 ? '7.17.0' : '6.8.0',
    minimum_index_compatibility_version: major >= 8 ? '7.0.0' : '6.0.0-beta1',
  };
}

/** Wording of `allocate_explanation` changed in 8.x; the bot may show it to humans, so each version words it its own way. */
export const allocateExplanation = {
  no: (v: string) =>
    majorOf(v) >= 8
      ? "Elasticsearch isn't allowed to allocate this shard to any of the nodes in the cluster. Choose a node to which you expect this shard to be allocated, find this node in the node-by-node explanation, and address the reasons which prevent Elasticsearch from allocating this shard there."
      : 'cannot allocate because allocation is not permitted to any of the nodes',
  yes: (v: string) => (majorOf(v) >= 8 ? 'Elasticsearch can allocate the shard.' : 'can allocate the shard'),
  throttled: (v: string) =>
    majorOf(v) >= 8
      ? 'Elasticsearch is currently busy with other activities. It expects to be able to allocate this shard when those activities finish. Please wait.'
      : 'allocation temporarily throttled',
  delayed: (v: string, remainingMs: number) =>
    majorOf(v) >= 8
      ? `The node containing this shard copy recently left the cluster. Elasticsearch is waiting for it to return. If the node does not return within [${Math.ceil(remainingMs / 1000)}s] then Elasticsearch will allocate this shard to another node. Please wait.`
      : `cannot allocate because the cluster is still waiting ${Math.ceil(remainingMs / 1000)}s for the departed node holding a replica to rejoin, despite being allowed to allocate the shard to at least one other node`,
  noValidCopy: (v: string) =>
    majorOf(v) >= 8
      ? "Elasticsearch can't allocate this shard because all the copies of its data in the cluster are stale or corrupt. Elasticsearch will allocate this shard when a node containing a good copy of its data joins the cluster. If no such node is available, restore this index from a recent snapshot."
      : 'cannot allocate because a previous copy of the primary shard existed but can no longer be found on the nodes in the cluster',
};

/**
 * Error for an unspecified explain request when nothing is unassigned. 8.x text from the 8.x source;
 * the 7.17 text is its ClusterAllocationExplainRequest toString form.
 */
export const noUnassignedShardsReason = (v: string) =>
  majorOf(v) >= 8
    ? 'No shard was specified in the explain API request, so this response explains a randomly chosen unassigned shard. There are no unassigned shards in this cluster.'
    : 'unable to find any unassigned shards to explain [ClusterAllocationExplainRequest[useAnyUnassignedShard=true,includeYesDecisions?=false]';

export const explainNote =
  'No shard was specified in the explain API request, so this response explains a randomly chosen unassigned shard. There may be other unassigned shards in this cluster which cannot be assigned for different reasons. It may not be possible to assign this shard until one of the other shards is assigned correctly. To explain the allocation of other shards (whether assigned or unassigned) you must specify the target shard in the request to this API.';
