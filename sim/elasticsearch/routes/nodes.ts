import type { estypes } from '@elastic/elasticsearch';
import { route, type EsRequest, type EsResponse, type Route } from '../router';
import type { SimNode } from '../types';
import { versionInfo } from '../versions';

const ALL_ROLES_ORDER = ['data', 'data_cold', 'data_content', 'data_frozen', 'data_hot', 'data_warm', 'ingest', 'master', 'ml', 'remote_cluster_client', 'transform'];

function selectNodes(req: EsRequest): SimNode[] {
  const c = req.cluster;
  const joined = c.joinedNodes();
  const spec = req.params.nodeId;
  if (!spec || spec === '_all') return joined;
  return joined.filter((n) =>
    spec.split(',').some((s) => s === n.id || s === n.spec.name || s === n.spec.ip || (s === '_master' && c.masterNode() === n) || (s === '_local' && n === req.node)),
  );
}

const header = (n: number) => ({ total: n, successful: n, failed: 0 });

function nodesInfo(req: EsRequest): EsResponse {
  const nodes = selectNodes(req);
  const body: estypes.NodesInfoResponse = {
    _nodes: header(nodes.length),
    cluster_name: req.cluster.clusterName,
    nodes: Object.fromEntries(
      nodes.map((n) => {
        const v = versionInfo(n.spec.version);
        return [
          n.id,
          {
            name: n.spec.name,
            transport_address: `${n.spec.ip}:9300`,
            host: n.spec.ip,
            ip: n.spec.ip,
            version: n.spec.version,
            build_flavor: v.build_flavor,
            build_type: v.build_type,
            build_hash: v.build_hash,
            total_indexing_buffer: 214748364,
            roles: [...n.spec.roles].sort((a, b) => ALL_ROLES_ORDER.indexOf(a) - ALL_ROLES_ORDER.indexOf(b)),
            attributes: { ...(n.spec.attributes ?? {}) },
            http: { bound_address: [`${n.spec.ip}:9200`], publish_address: `${n.spec.ip}:9200`, max_content_length_in_bytes: 104857600 },
          } as estypes.NodesInfoNodeInfo,
        ];
      }),
    ),
  };
  return { body };
}

const DISK_TOTAL = 500 * 1024 ** 3;

function nodesStats(req: EsRequest): EsResponse {
  const c = req.cluster;
  const nodes = selectNodes(req);
  return {
    body: {
      _nodes: header(nodes.length),
      cluster_name: c.clusterName,
      nodes: Object.fromEntries(
        nodes.map((n) => {
          let used = 0;
          for (const idx of c.indices.values())
            for (const g of idx.groups) for (const copy of g.copies) if (copy.node === n.spec.name) used += g.store.live.size * idx.bytesPerDoc;
          return [
            n.id,
            {
              timestamp: c.clock.now(),
              name: n.spec.name,
              transport_address: `${n.spec.ip}:9300`,
              host: n.spec.ip,
              ip: n.spec.ip,
              roles: [...n.spec.roles],
              attributes: { ...(n.spec.attributes ?? {}) },
              fs: { total: { total_in_bytes: DISK_TOTAL, free_in_bytes: DISK_TOTAL - used, available_in_bytes: DISK_TOTAL - used } },
              jvm: { mem: { heap_used_percent: 42 }, uptime_in_millis: c.clock.now() - n.startedAt },
            },
          ];
        }),
      ),
    },
  };
}

/** `GET /`: answered by whichever node the balancer picked, so its version is what the caller sees. */
function root(req: EsRequest): EsResponse {
  const body: estypes.InfoResponse = {
    name: req.node.spec.name,
    cluster_name: req.cluster.clusterName,
    cluster_uuid: req.cluster.uuid,
    version: versionInfo(req.node.spec.version),
    tagline: 'You Know, for Search',
  };
  return { body };
}

export const nodeRoutes: Route[] = [
  route(['GET', 'HEAD'], '/', root),
  route('GET', '/_nodes', nodesInfo),
  route('GET', '/_nodes/stats', nodesStats),
  route('GET', '/_nodes/{nodeId}/stats', nodesStats),
  route('GET', '/_nodes/{nodeId}', nodesInfo),
];
