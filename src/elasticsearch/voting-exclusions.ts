import type { VotingExclusions } from '../../jobs/upgrade/ports';

const FIX = 'check `GET _cluster/state/metadata?filter_path=**.voting_config_exclusions` by hand';

/**
 * Voting exclusions out of a `_cluster/state/metadata` body. `exact` expects them at
 * metadata.cluster_coordination.voting_config_exclusions (7.x and 8.x); `anywhere` takes the first
 * `voting_config_exclusions` array found at any depth (the wildcard fallback read). Never throws: a body of
 * another shape is reported as unknown, with what was found instead.
 */
export function parseVotingExclusions(body: unknown, where: 'exact' | 'anywhere'): VotingExclusions {
  const list = where === 'exact' ? exactList(body) : findList(body, 0);
  if (list === undefined) {
    return { known: false, why: `the cluster state has no readable voting_config_exclusions ${where === 'exact' ? 'at metadata.cluster_coordination' : 'anywhere in its metadata'} (${preview(body)}); ${FIX}` };
  }
  if (!Array.isArray(list)) return { known: false, why: `voting_config_exclusions is a ${typeof list}, not a list (${preview(list)}); ${FIX}` };
  const names: string[] = [];
  for (const e of list) {
    const name = typeof e === 'string' ? e : e && typeof e === 'object' ? (e as Record<string, unknown>).node_name : undefined;
    if (typeof name !== 'string' || !name) return { known: false, why: `a voting configuration exclusion without a node name (${preview(e)}); ${FIX}` };
    names.push(name);
  }
  return { known: true, names };
}

function exactList(body: unknown): unknown {
  const cc = (body as { metadata?: { cluster_coordination?: unknown } } | undefined)?.metadata?.cluster_coordination;
  if (!cc || typeof cc !== 'object') return undefined;
  return (cc as Record<string, unknown>).voting_config_exclusions;
}

function findList(node: unknown, depth: number): unknown {
  if (!node || typeof node !== 'object' || depth > 6) return undefined;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'voting_config_exclusions') return v;
    const inner = findList(v, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function preview(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
