import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { UpgradeDeps } from '../ports';

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Policy, not cluster safety: while an unacknowledged alert of a severity in elastalert.alerts.holdUpgradesOn is
 * open on the cluster, the next node is not taken away — someone should look at what the alert says first.
 * Acknowledging the alert in its thread (or an approver's override) lets the upgrade go on. Off when the
 * setting is empty (the port is then absent).
 */
export function noOpenAlertOnCluster(): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'no_open_alert_on_cluster',
    async check(ctx) {
      const port = ctx.deps.alerts;
      if (!port || !port.holdOn.length) return { ok: true };
      const open = await port.unacknowledged(ctx.data.cluster, port.holdOn);
      if (!open.length) return { ok: true };
      const a = open[0];
      const more = open.length > 1 ? ` and ${open.length - 1} more` : '';
      return {
        ok: false,
        reason: `unacknowledged ${a.severity} alert "${a.rule}"${a.queryKey ? ` (${a.queryKey})` : ''} open on ${ctx.data.cluster} since ${utc(a.since)}${more}: acknowledge it in its alert thread (channel ${a.channel}) to let the upgrade continue`,
      };
    },
  };
}
