import { createAwsClients } from '../../src/aws/clients';
import { AwsUpgradeAdapter } from '../../src/aws/upgrade-port';
import { createEsClient } from '../../src/elasticsearch/client';
import { EsUpgradeAdapter } from '../../src/elasticsearch/upgrade-port';
import type { Estate } from '../estate';
import type { UpgradeDeps, UpgradeSettings } from '../../jobs/upgrade/ports';

/** The configuration defaults (src/config/schema.ts), as the job sees them. */
export const DEFAULT_SETTINGS: Omit<UpgradeSettings, 'groups'> = {
  nodeMapping: { by: 'private-ip' },
  versionTag: 'Version',
  targetVersion: { from: 'launch-template' },
  greenTimeout: 30 * 60_000,
  joinTimeout: 20 * 60_000,
  leaveTimeout: 10 * 60_000,
  drainTimeout: 2 * 3_600_000,
  pollTimeout: 30_000,
  pollInterval: 1000,
  order: 'data-first',
  terminateVia: 'autoscaling',
  bootEstimate: 5 * 60_000,
  recoveryMbPerSec: 40,
};

/** The real adapters, pointed at a simulated estate. */
export function estateDeps(estate: Estate, overrides: Partial<UpgradeSettings> = {}): UpgradeDeps {
  const clients = createAwsClients({ region: estate.aws.region, endpoint: estate.aws.url, credentials: estate.aws.credentials });
  return {
    es: new EsUpgradeAdapter(createEsClient({ url: estate.es.url, requestTimeout: 30_000 })),
    aws: new AwsUpgradeAdapter(clients),
    settings: { ...DEFAULT_SETTINGS, groups: { ...estate.groups }, ...overrides },
  };
}
