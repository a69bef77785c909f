import type { EsNode, InstanceFacts, UpgradeSettings } from './ports';

/** Does this Elasticsearch node run on this instance, by the cluster's configured mapping? */
export function runsOn(node: Pick<EsNode, 'name' | 'ip' | 'attributes'>, instance: InstanceFacts, mapping: UpgradeSettings['nodeMapping']): boolean {
  switch (mapping.by) {
    case 'private-ip':
      return !!instance.privateIp && node.ip === instance.privateIp;
    case 'name-tag':
      return instance.tags[mapping.tag] !== undefined && node.name === instance.tags[mapping.tag];
    case 'node-attribute':
      return node.attributes[mapping.attribute] === instance.id;
  }
}

export function describeMapping(mapping: UpgradeSettings['nodeMapping']): string {
  switch (mapping.by) {
    case 'private-ip':
      return 'private IP';
    case 'name-tag':
      return `the instance's ${mapping.tag} tag`;
    case 'node-attribute':
      return `node attribute ${mapping.attribute}`;
  }
}
