/**
 * The seam between the two simulators. The EC2/Auto Scaling simulator owns instances; the Elasticsearch
 * simulator owns nodes. An instance that finishes booting starts a node (`startNode`); an instance that is
 * terminated kills its node at once (`stopNode`), exactly as pulling the plug on a real machine does.
 */
export type SimNodeRole = 'master' | 'data' | 'data_hot' | 'data_warm' | 'data_cold' | 'data_frozen' | 'ingest';

export interface SimNodeSpec {
  /** Elasticsearch node name (node.name). The sandbox uses the instance's Name tag. */
  name: string;
  /** The instance's private IP; also the node's transport/http host as _cat/nodes reports it. */
  ip: string;
  /** Elasticsearch version the instance's AMI carries, e.g. '7.17.25' or '8.15.0'. */
  version: string;
  roles: SimNodeRole[];
  /** Custom node attributes (node.attr.*), e.g. { instance_id: 'i-0abc' }. */
  attributes?: Record<string, string>;
}

export interface ClusterControl {
  /** The node process starts and, unless a fault knob says otherwise, joins the cluster shortly after. */
  startNode(spec: SimNodeSpec): void;
  /** The node process dies now (instance shutting down). Its shards become unassigned with NODE_LEFT. */
  stopNode(name: string): void;
}
