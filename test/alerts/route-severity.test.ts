/** Which severity an alert carries (what holdUpgradesOn matches): the route's, else the payload's; a TEST alert none. */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema';
import { parsePostBody } from '../../src/alerts/parse-alert-body';
import { routeAlert } from '../../src/alerts/route-alert';

const config = {
  elastalert: {
    routes: { 'Disk full': { channel: 'C0DISK', cluster: 'prod', severity: 'critical' }, '*': 'C0OPS' },
    alerts: { defaultChannel: undefined },
  },
} as unknown as Config;
const alert = (body: Record<string, unknown>) => parsePostBody('post', Buffer.from(JSON.stringify(body)), new URLSearchParams(), 0);

describe('alert severity', () => {
  it('comes from the route, else from the match, lower-cased', () => {
    expect(routeAlert(config, alert({ rule_name: 'Disk full', severity: 'warning' }))).toMatchObject({ channel: 'C0DISK', cluster: 'prod', severity: 'critical' });
    expect(routeAlert(config, alert({ rule_name: 'Other', severity: 'CRITICAL' }))).toMatchObject({ channel: 'C0OPS', severity: 'critical' });
    expect(routeAlert(config, alert({ rule_name: 'Other' }))?.severity).toBeUndefined();
  });

  it('a TEST alert goes where its rule goes but carries no severity, so it never holds an upgrade', () => {
    const a = { ...alert({ rule_name: '[TEST] Disk full', severity: 'critical' }), test: { rule: 'Disk full', by: 'U1', job: 'alert-test-prod-x' } };
    expect(routeAlert(config, a)).toMatchObject({ channel: 'C0DISK', cluster: 'prod', severity: undefined });
  });
});
