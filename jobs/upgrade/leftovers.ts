import type { JobData } from '../../src/runner/types';
import type { UpgradeArgs } from './args';
import { awaitingReplacement } from './job-state';
import { describeOwn, ownSettings } from './own-settings';

/**
 * What a stopped upgrade leaves on the cluster, from its saved state alone: named in the thread when another
 * job holds the cluster and this one may not put anything back.
 */
export function upgradeLeftovers(data: Readonly<JobData<UpgradeArgs>>): string[] {
  if (!data.state.plan) return [];
  const ctx = { state: data.state };
  const own = describeOwn(ownSettings(ctx));
  const lines = own ? [own] : [];
  for (const n of awaitingReplacement(ctx)) lines.push(`${n.instanceId} (${n.name}) terminated; its replacement had not joined yet`);
  return lines;
}
