import type { Config } from '../config/schema';
import { lookupField } from '../rules/lookup-field';
import type { IncomingAlert } from './incoming-alert';

export interface AlertRoute {
  channel: string;
  cluster?: string;
  /** The route's severity, else the alert's own; never set for a TEST alert (it must not hold an upgrade). */
  severity?: string;
  /** Which route matched, for the log and the failure reason. */
  via: string;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/**
 * Where an alert goes. First match wins: the rule's name, an `index:<glob>` route on the match's _index, a
 * `field:<name>=<value>` route on a match field, the channel the Slack alerter asked for (slack_channel_override,
 * when it is a channel id), `*`, then elastalert.alerts.defaultChannel.
 */
export function routeAlert(config: Config, alert: IncomingAlert): AlertRoute | undefined {
  const r = routeOf(config, alert);
  if (!r) return r;
  const severity = alert.test ? undefined : r.severity ?? alert.severity;
  return { ...r, severity };
}

function routeOf(config: Config, alert: IncomingAlert): AlertRoute | undefined {
  const routes = Object.entries(config.elastalert.routes);
  const to = (v: (typeof routes)[number][1], via: string): AlertRoute =>
    typeof v === 'string' ? { channel: v, cluster: alert.cluster, via } : { channel: v.channel, cluster: v.cluster ?? alert.cluster, severity: v.severity, via };
  // A TEST alert goes where its rule's real alerts go.
  const name = alert.test?.rule ?? alert.rule;
  const byName = routes.find(([k]) => k === name);
  if (byName) return to(byName[1], `rule ${name}`);
  for (const [k, v] of routes) {
    if (k.startsWith('index:') && alert.index && globToRegExp(k.slice(6)).test(alert.index)) return to(v, k);
  }
  for (const [k, v] of routes) {
    const m = /^field:([^=]+)=(.*)$/.exec(k);
    if (m && String(lookupField(alert.fields, m[1]) ?? '') === m[2]) return to(v, k);
  }
  const asked = alert.fields.slack_channel;
  if (typeof asked === 'string' && /^[CG][A-Z0-9]+$/.test(asked)) return { channel: asked, cluster: alert.cluster, via: 'the alert\'s channel' };
  const star = routes.find(([k]) => k === '*');
  if (star) return to(star[1], '*');
  const d = config.elastalert.alerts.defaultChannel;
  return d ? { channel: d, cluster: alert.cluster, via: 'alerts.defaultChannel' } : undefined;
}
