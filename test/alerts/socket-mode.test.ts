/**
 * The bot in Socket Mode (slack.appToken set), as teams behind a firewall run it: Slack's commands and clicks
 * arrive over the socket the bot opened with apps.connections.open, while the Elastalert webhooks and /healthz
 * are still served over HTTP on slack.port. Nothing here reaches the bot's HTTP /slack/events: in Socket Mode
 * that path does not exist, so a delivery that went there would fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageText } from '../../sim/slack';
import { USERS } from '../helpers/harness';
import { OPS_CHANNEL, spikeMatch, startAlertHarness, type AlertHarness } from './alert-harness';

describe('Socket Mode', () => {
  let a: AlertHarness;
  beforeAll(async () => {
    a = await startAlertHarness({ socketMode: true, worker: 'in-process', alerts: { flushInterval: '300ms' } });
  });
  afterAll(async () => a?.close());

  it('opens its socket with the app-level token, and the emulator refuses that token for anything else', async () => {
    expect(a.h.slack.socketMode.connected).toBe(true);
    const opened = a.h.slack.calls.filter((c) => c.method === 'apps.connections.open');
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect(opened.every((c) => c.ok)).toBe(true);
    const misuse = a.h.slack.callApi('chat.postMessage', { channel: OPS_CHANNEL, text: 'x' }, 'xapp-1-A0EMULATOR-1-test');
    expect(misuse.body).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
    const botTokenThere = a.h.slack.callApi('apps.connections.open', {}, 'xoxb-test-token');
    expect(botTokenThere.body).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
  });

  it('answers /elk help over the socket', async () => {
    const reply = await a.h.command('alice', 'help');
    expect(reply).toContain('/elk help <command>');
    // The bot's HTTP server has no /slack/events in Socket Mode: only the socket can have carried that.
    const http = await fetch(`${a.base}/slack/events`, { method: 'POST', body: 'x' });
    expect(http.status).toBe(404);
  });

  it('takes Elastalert webhooks on slack.port and a button click over the socket', async () => {
    expect((await fetch(`${a.base}/healthz`)).status).toBe(200);
    expect((await a.post('/elastalert/post', spikeMatch(1, { rule_name: 'Socket rule' }))).status).toBe(202);
    const parent = await a.h.slack.waitUntil(() => a.parents().find((m) => m.text.includes('Socket rule')), { timeoutMs: 15_000, what: 'the alert parent' });
    const r = await a.h.slack.clickButton({ user: USERS.bob, channel: OPS_CHANNEL, messageTs: parent.ts, actionId: 'alert_ack' });
    expect(r).toMatchObject({ status: 200, timedOut: false });
    await a.h.slack.waitUntil(() => /Acknowledged\*\n<@U0BOB> at/.test(messageText(a.h.slack.thread(OPS_CHANNEL, parent.ts)[0])), { timeoutMs: 10_000, what: 'the ack on the parent' });
  });
});
