import { sharedOpenAlerts } from '../../src/alerts/open-alerts';
import { AwsUpgradeAdapter } from '../../src/aws/upgrade-port';
import { createAwsClients } from '../../src/aws/clients';
import type { ClusterConfig } from '../../src/config/schema';
import { createEsClient } from '../../src/elasticsearch/client';
import { EsUpgradeAdapter } from '../../src/elasticsearch/upgrade-port';
import type { JobModule } from '../../src/runner/types';
import type { UpgradeArgs } from './args';
import { upgradeDefinition } from './definition';
import { withAlertHold } from './predicates';
import type { UpgradeDeps, UpgradeSettings } from './ports';

export function upgradeSettings(cluster: ClusterConfig): UpgradeSettings {
  if (!cluster.aws) throw new Error('this cluster has no `aws` section in the configuration: the upgrade replaces EC2 instances and needs the region and the Auto Scaling groups');
  const { summaryWebhook: _webhook, ...u } = cluster.upgrade;
  return { ...u, groups: cluster.aws.groups, nodeMapping: cluster.nodeMapping, versionTag: cluster.versionTag, targetVersion: cluster.targetVersion };
}

/** POSTs JSON; the error names the status only, never the URL (webhook URLs often carry a secret). */
function webhookPoster(url: string): (body: unknown) => Promise<void> {
  return async (body) => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`webhook answered HTTP ${r.status}`);
  };
}

export const upgradeJob: JobModule<UpgradeArgs, UpgradeDeps> = {
  // Every terminate is also held by open alerts (no_open_alert_on_cluster); the predicate passes when the
  // setting is off, so a job planned before it was turned on resumes the same.
  definition: { ...upgradeDefinition, steps: (data) => withAlertHold(upgradeDefinition.steps(data)) },
  createDeps(cluster, env) {
    const settings = upgradeSettings(cluster);
    const aws = createAwsClients({ region: cluster.aws!.region, endpoint: cluster.aws!.endpoint });
    const holdOn = env.config.elastalert.alerts.holdUpgradesOn;
    return {
      ...(holdOn.length ? { alerts: { holdOn, ...sharedOpenAlerts(env.config) } } : {}),
      es: new EsUpgradeAdapter(createEsClient(cluster.elasticsearch), env.clock),
      aws: new AwsUpgradeAdapter(aws),
      settings,
      postSummary: cluster.upgrade.summaryWebhook ? webhookPoster(cluster.upgrade.summaryWebhook) : undefined,
    };
  },
};

export type { UpgradeArgs } from './args';
export type { UpgradeDeps } from './ports';
