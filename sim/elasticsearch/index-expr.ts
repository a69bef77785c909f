import type { SimCluster } from './cluster';
import { indexNotFound } from './errors';
import { isHidden, type IndexState } from './index-model';

export interface ResolveOptions {
  expandWildcards?: string;
  ignoreUnavailable?: boolean;
  allowNoIndices?: boolean;
}

const wildcard = (p: string) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/**
 * Index expressions as the REST layer resolves them: comma lists, wildcards, `-exclusions`, `_all`, aliases.
 * Wildcards skip hidden indices unless expand_wildcards asks for them or the pattern itself starts with a dot.
 */
export function resolveIndices(cluster: SimCluster, expr: string | undefined, opts: ResolveOptions = {}): IndexState[] {
  const expand = (opts.expandWildcards ?? 'open').split(',');
  const withHidden = expand.includes('all') || expand.includes('hidden');
  const parts = !expr || expr === '_all' ? ['*'] : expr.split(',').map((p) => p.trim()).filter(Boolean);
  const found = new Map<string, IndexState>();
  let sawWildcard = false;
  for (const part of parts) {
    if (part.startsWith('-') && sawWildcard) {
      const re = wildcard(part.slice(1));
      for (const name of [...found.keys()]) if (re.test(name)) found.delete(name);
      continue;
    }
    if (part.includes('*')) {
      sawWildcard = true;
      const re = wildcard(part);
      for (const idx of cluster.indices.values()) {
        if (isHidden(idx) && !withHidden && !part.startsWith('.')) continue;
        if (re.test(idx.name) || [...idx.aliases.keys()].some((a) => re.test(a))) found.set(idx.name, idx);
      }
      continue;
    }
    const idx = cluster.indices.get(part);
    const viaAlias = [...cluster.indices.values()].filter((i) => i.aliases.has(part));
    if (idx) found.set(idx.name, idx);
    else if (viaAlias.length) for (const i of viaAlias) found.set(i.name, i);
    else if (!opts.ignoreUnavailable) throw indexNotFound(part);
  }
  if (!found.size && opts.allowNoIndices === false) throw indexNotFound(expr ?? '_all');
  return [...found.values()];
}

export const hasWildcard = (expr: string | undefined) => !expr || expr === '_all' || expr.includes('*');
