import type { estypes } from '@elastic/elasticsearch';
import { EsError, illegalArgument, indexNotFound } from '../errors';
import { hasWildcard, resolveIndices } from '../index-expr';
import { isActive, primaryOf, type IndexState } from '../index-model';
import { route, flag, type EsRequest, type EsResponse, type Route } from '../router';
import { nest, normalizeIndexSettings } from '../settings';
import { parseDuration } from '../time-units';
import type { IndexTemplate } from '../types';
import { majorOf } from '../versions';

const resolve = (req: EsRequest, dflt = 'open') =>
  resolveIndices(req.cluster, req.params.index, {
    expandWildcards: req.query.get('expand_wildcards') ?? dflt,
    ignoreUnavailable: flag(req.query, 'ignore_unavailable'),
    allowNoIndices: flag(req.query, 'allow_no_indices', true),
  });

/** wait_for_active_shards (default 1: the primaries) after creating an index; false when it timed out. */
async function waitForActiveShards(req: EsRequest, idx: IndexState): Promise<boolean> {
  const want = req.query.get('wait_for_active_shards') ?? '1';
  const timeout = parseDuration(req.query.get('timeout') ?? '30s');
  return req.cluster.notifier.waitUntil(
    () =>
      idx.groups.every((g) => {
        const active = g.copies.filter(isActive).length;
        return want === 'all' ? active === g.copies.length : active >= Number(want) && isActive(primaryOf(g));
      }),
    timeout,
  );
}

const settingsBody = (idx: IndexState, flat: boolean) => (flat ? { ...idx.settings } : nest(idx.settings));

async function createIndex(req: EsRequest): Promise<EsResponse> {
  await req.cluster.requireMaster();
  const idx = req.cluster.createIndexInternal(req.params.index, (req.body ?? {}) as Record<string, unknown>);
  const body: estypes.IndicesCreateResponse = { acknowledged: true, shards_acknowledged: await waitForActiveShards(req, idx), index: idx.name };
  return { body };
}

async function deleteIndex(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const dflt = majorOf(req.node.spec.version) >= 8 ? 'true' : 'false';
  const requiresName = (c.effectiveClusterSettings()['action.destructive_requires_name'] ?? dflt) === 'true';
  if (requiresName && hasWildcard(req.params.index)) throw illegalArgument('Wildcard expressions or all indices are not allowed');
  for (const idx of resolve(req)) c.deleteIndex(idx.name);
  return { body: { acknowledged: true } satisfies estypes.IndicesDeleteResponse };
}

function getIndex(req: EsRequest): EsResponse {
  const flat = flag(req.query, 'flat_settings');
  return {
    body: Object.fromEntries(
      resolve(req).map((idx) => [
        idx.name,
        { aliases: Object.fromEntries(idx.aliases), mappings: { properties: idx.mappings.properties }, settings: settingsBody(idx, flat) },
      ]),
    ),
  };
}

function getSettings(req: EsRequest): EsResponse {
  const flat = flag(req.query, 'flat_settings');
  const name = req.params.name;
  return {
    body: Object.fromEntries(
      resolve(req).map((idx) => {
        const picked = name ? Object.fromEntries(Object.entries(idx.settings).filter(([k]) => name.split(',').includes(k))) : idx.settings;
        return [idx.name, { settings: flat ? { ...picked } : nest(picked) }];
      }),
    ) satisfies estypes.IndicesGetSettingsResponse,
  };
}

async function putSettings(req: EsRequest): Promise<EsResponse> {
  await req.cluster.requireMaster();
  const changes = normalizeIndexSettings(req.body ?? {});
  if (!Object.keys(changes).length) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: no settings to update;');
  for (const idx of resolve(req)) req.cluster.updateIndexSettings(idx, changes);
  return { body: { acknowledged: true } satisfies estypes.IndicesPutSettingsResponse };
}

function getMapping(req: EsRequest): EsResponse {
  return { body: Object.fromEntries(resolve(req).map((idx) => [idx.name, { mappings: { properties: idx.mappings.properties } }])) };
}

/** `_refresh` answers once the refresh is searchable, which with refreshLagMs takes that long. */
async function refresh(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  const indices = resolve(req);
  const handles = indices.flatMap((idx) => c.refreshIndex(idx));
  await c.notifier.waitUntil(() => handles.every((h) => h.applied), Infinity);
  return { body: { _shards: shardsSummary(indices) } };
}

function shardsSummary(indices: IndexState[]): estypes.ShardStatistics {
  let total = 0;
  let ok = 0;
  for (const idx of indices)
    for (const g of idx.groups) {
      total += g.copies.length;
      ok += g.copies.filter(isActive).length;
    }
  return { total, successful: ok, failed: 0 };
}

function flush(req: EsRequest): EsResponse {
  return { body: { _shards: shardsSummary(resolve(req)) } };
}

async function addBlock(req: EsRequest): Promise<EsResponse> {
  await req.cluster.requireMaster();
  const block = req.params.block;
  if (!['write', 'read_only', 'read', 'metadata'].includes(block)) throw illegalArgument(`No enum constant ${block}`);
  const indices = resolve(req);
  for (const idx of indices) req.cluster.updateIndexSettings(idx, { [`index.blocks.${block}`]: 'true' });
  const body: estypes.IndicesAddBlockResponse = {
    acknowledged: true,
    shards_acknowledged: true,
    indices: indices.map((i) => ({ name: i.name, blocked: true })),
  };
  return { body };
}

async function clone(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const source = c.indices.get(req.params.index);
  if (!source) throw indexNotFound(req.params.index);
  const idx = c.cloneIndex(source, req.params.target, (req.body ?? {}) as { settings?: unknown; aliases?: unknown });
  const body: estypes.IndicesCloneResponse = { acknowledged: true, shards_acknowledged: await waitForActiveShards(req, idx), index: idx.name };
  return { body };
}

async function updateAliases(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const actions = ((req.body ?? {}) as { actions?: Array<Record<string, Record<string, unknown>>> }).actions;
  if (!actions?.length) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: No action specified;');
  for (const action of actions) {
    const [type, spec] = Object.entries(action)[0];
    const indexExpr = (spec.index ?? (spec.indices as string[] | undefined)?.join(',')) as string;
    const targets = resolveIndices(c, indexExpr, {});
    const aliasNames = (spec.alias ? [spec.alias] : (spec.aliases as string[]) ?? []) as string[];
    for (const idx of targets) {
      if (type === 'add') for (const a of aliasNames) idx.aliases.set(a, spec.is_write_index !== undefined ? { is_write_index: Boolean(spec.is_write_index) } : {});
      else if (type === 'remove') {
        for (const a of aliasNames) {
          if (!idx.aliases.has(a) && spec.must_exist !== false) throw new EsError(404, 'aliases_not_found_exception', `aliases [${a}] missing`, { 'resource.type': 'aliases', 'resource.id': a });
          idx.aliases.delete(a);
        }
      } else if (type === 'remove_index') c.deleteIndex(idx.name);
      else throw illegalArgument(`Unknown action [${type}]`);
    }
  }
  c.changed();
  return { body: { acknowledged: true, errors: false } };
}

function getAliases(req: EsRequest): EsResponse {
  const name = req.params.name;
  const indices = req.params.index ? resolve(req) : resolveIndices(req.cluster, undefined, { expandWildcards: 'all' });
  const re = name ? new RegExp(`^(${name.split(',').map((n) => n.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')).join('|')})$`) : undefined;
  const out: Record<string, { aliases: Record<string, unknown> }> = {};
  for (const idx of indices) {
    const aliases = [...idx.aliases].filter(([a]) => !re || re.test(a));
    if (re && !aliases.length) continue;
    out[idx.name] = { aliases: Object.fromEntries(aliases) };
  }
  if (name && !Object.keys(out).length) return { status: 404, body: { error: `alias [${name}] missing`, status: 404 } };
  return { body: out };
}

function templateBody(t: IndexTemplate): estypes.IndicesIndexTemplate {
  return {
    index_patterns: t.index_patterns,
    template: t.template as estypes.IndicesIndexTemplateSummary,
    composed_of: t.composed_of ?? [],
    priority: t.priority,
    ...(t.version !== undefined ? { version: t.version } : {}),
    ...(t._meta ? { _meta: t._meta } : {}),
  };
}

async function putTemplate(req: EsRequest): Promise<EsResponse> {
  const c = req.cluster;
  await c.requireMaster();
  const b = (req.body ?? {}) as Partial<IndexTemplate> & { index_patterns?: string | string[] };
  if (!b.index_patterns) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: index patterns are missing;');
  const t: IndexTemplate = {
    name: req.params.name,
    index_patterns: Array.isArray(b.index_patterns) ? b.index_patterns : [b.index_patterns],
    priority: Number(b.priority ?? 0),
    template: b.template ?? {},
    composed_of: b.composed_of,
    version: b.version,
    _meta: b._meta,
  };
  const clash = [...c.templates.values()].filter(
    (o) => o.name !== t.name && o.priority === t.priority && o.index_patterns.some((p) => t.index_patterns.includes(p) || p === '*' || t.index_patterns.includes('*')),
  );
  if (clash.length)
    throw illegalArgument(
      `index template [${t.name}] has index patterns ${JSON.stringify(t.index_patterns).replace(/"/g, '')} matching patterns from existing templates [${clash.map((o) => o.name).join(',')}] with patterns (${clash.map((o) => `${o.name} => ${JSON.stringify(o.index_patterns).replace(/"/g, '')}`).join(',')}) that have the same priority [${t.priority}], multiple index templates may not match during index creation, please use a different priority`,
    );
  c.templates.set(t.name, t);
  return { body: { acknowledged: true } };
}

function getTemplates(req: EsRequest): EsResponse {
  const name = req.params.name;
  const re = name ? new RegExp(`^${name.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`) : undefined;
  const list = [...req.cluster.templates.values()].filter((t) => !re || re.test(t.name));
  if (name && !list.length) throw new EsError(404, 'resource_not_found_exception', `index template matching [${name}] not found`);
  const body: estypes.IndicesGetIndexTemplateResponse = { index_templates: list.map((t) => ({ name: t.name, index_template: templateBody(t) })) };
  return { body };
}

async function deleteTemplate(req: EsRequest): Promise<EsResponse> {
  await req.cluster.requireMaster();
  if (!req.cluster.templates.delete(req.params.name))
    throw new EsError(404, 'resource_not_found_exception', `index_template [${req.params.name}] missing`);
  return { body: { acknowledged: true } };
}

function simulateIndex(req: EsRequest): EsResponse {
  const c = req.cluster;
  const name = req.params.index;
  const { template } = c.simulateTemplate(name);
  const settings = normalizeIndexSettings(template?.template.settings ?? {});
  const overlapping = [...c.templates.values()]
    .filter((t) => t !== template && t.index_patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name)))
    .map((t) => ({ name: t.name, index_patterns: t.index_patterns }));
  return {
    body: {
      template: {
        settings: nest(Object.fromEntries(Object.entries(settings).filter((e): e is [string, string] => e[1] !== null))),
        mappings: template?.template.mappings ?? {},
        aliases: template?.template.aliases ?? {},
      },
      overlapping,
    },
  };
}

export const indexRoutes: Route[] = [
  route(['POST', 'PUT'], '/_index_template/_simulate_index/{index}', simulateIndex),
  route('PUT', '/_index_template/{name}', putTemplate),
  route('POST', '/_index_template/{name}', putTemplate),
  route('GET', '/_index_template', getTemplates),
  route('GET', '/_index_template/{name}', getTemplates),
  route('DELETE', '/_index_template/{name}', deleteTemplate),
  route('POST', '/_aliases', updateAliases),
  route('GET', '/_alias', getAliases),
  route('GET', '/_alias/{name}', getAliases),
  route('GET', '/{index}/_alias', getAliases),
  route('GET', '/{index}/_alias/{name}', getAliases),
  route(['POST', 'GET'], '/_refresh', refresh),
  route(['POST', 'GET'], '/{index}/_refresh', refresh),
  route(['POST', 'GET'], '/_flush', flush),
  route(['POST', 'GET'], '/{index}/_flush', flush),
  route('GET', '/_settings', getSettings),
  route('GET', '/{index}/_settings', getSettings),
  route('GET', '/{index}/_settings/{name}', getSettings),
  route('PUT', '/_settings', putSettings),
  route('PUT', '/{index}/_settings', putSettings),
  route('GET', '/_mapping', getMapping),
  route('GET', '/{index}/_mapping', getMapping),
  route('PUT', '/{index}/_block/{block}', addBlock),
  route(['POST', 'PUT'], '/{index}/_clone/{target}', clone),
  route('PUT', '/{index}', createIndex),
  route('DELETE', '/{index}', deleteIndex),
  route('HEAD', '/{index}', (req) => ({ status: resolve(req).length ? 200 : 404 })),
  route('GET', '/{index}', getIndex),
];
