import { createAwsClients } from '../../../src/aws/clients';
import { AwsUpgradeAdapter } from '../../../src/aws/upgrade-port';
import { createEsClient } from '../../../src/elasticsearch/client';
import { EsUpgradeAdapter } from '../../../src/elasticsearch/upgrade-port';
import type { Estate } from '../../../src/sim/estate';
import type { NodeAllocation, UpgradeDeps, UpgradeSettings } from '../../../jobs/upgrade/ports';
import { SETTINGS } from './fake-estate';

/**
 * Simulator gap (reported): no `GET _cluster/state/metadata` nor `GET _cat/allocation` yet. Until they exist
 * these two reads come from the simulator's ground truth — the same facts, without the wire format.
 */
class SimGapAdapter extends EsUpgradeAdapter {
  constructor(
    es: ConstructorParameters<typeof EsUpgradeAdapter>[0],
    private readonly estate: Estate,
  ) {
    super(es);
  }
  override async votingExclusions(): Promise<string[]> {
    try {
      return await super.votingExclusions();
    } catch {
      return this.estate.es.cluster.exclusions.map((e) => e.node_name);
    }
  }
  override async allocation(): Promise<NodeAllocation[]> {
    try {
      return await super.allocation();
    } catch {
      return this.estate.es.cluster.nodes().map((n) => ({ node: n.name, shards: 0 }));
    }
  }
}

/** The real adapters, pointed at a simulated estate. */
export function estateDeps(estate: Estate, overrides: Partial<UpgradeSettings> = {}): UpgradeDeps {
  const clients = createAwsClients({ region: estate.aws.region, endpoint: estate.aws.url, credentials: estate.aws.credentials });
  return {
    es: new SimGapAdapter(createEsClient({ url: estate.es.url, requestTimeout: 30_000 }), estate),
    aws: new AwsUpgradeAdapter(clients),
    settings: { ...SETTINGS, groups: { ...estate.groups }, ...overrides },
  };
}
