import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature, startSlackEmulator, type RunningSlackEmulator } from '../../../sim/slack';

const signingSecret = 'console-secret';
let slack: RunningSlackEmulator;
let bot: Server;
const received: URLSearchParams[] = [];

beforeAll(async () => {
  slack = await startSlackEmulator({ signingSecret, botToken: 'xoxb-console', channels: [{ name: 'ops' }, { name: 'alerts' }] });
  // A bot stand-in that checks Slack's signature by hand.
  bot = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const ts = Number(req.headers['x-slack-request-timestamp']);
      if (req.headers['x-slack-signature'] !== slackSignature(signingSecret, ts, raw)) {
        res.writeHead(401).end();
        return;
      }
      received.push(new URLSearchParams(raw));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'hello from the bot' }));
    });
  });
  await new Promise<void>((r) => bot.listen(0, '127.0.0.1', r));
  slack.emulator.setRequestUrl(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`);
});
afterAll(async () => {
  await slack.close();
  await new Promise((r) => bot.close(r));
});

const postJson = (path: string, body: unknown) =>
  fetch(`${slack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the sandbox console', () => {
  it('serves one self-contained page', async () => {
    const res = await fetch(`${slack.url}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<script>');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });

  it('sends a slash command typed in the composer as the chosen user', async () => {
    const r = await (await postJson('/console/command', { user: 'bob', channel: slack.emulator.channel('alerts').id, command: '/elk', text: 'help' })).json();
    expect(r).toMatchObject({ status: 200, timedOut: false });
    expect(received.at(-1)?.get('user_name')).toBe('bob');
    expect(received.at(-1)?.get('channel_name')).toBe('alerts');
    expect(slack.emulator.ephemerals('bob').at(-1)?.text).toBe('hello from the bot');
  });

  it('long-polls state and wakes on the next change', async () => {
    const first = await (await fetch(`${slack.url}/console/state?channel=ops&user=alice`)).json();
    expect(first.channels.map((c: { name: string }) => c.name)).toEqual(['ops', 'alerts']);
    const started = Date.now();
    const next = fetch(`${slack.url}/console/state?channel=ops&user=alice&since=${first.version}`).then((r) => r.json());
    setTimeout(() => postJson('/console/say', { user: 'alice', channel: 'ops', text: '<script>alert(1)</script> *hi*' }), 50);
    const state = await next;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(state.version).toBeGreaterThan(first.version);
    expect(state.messages.at(-1)).toMatchObject({ text: '&lt;script&gt;alert(1)&lt;/script&gt; *hi*', user: slack.emulator.workspace.requireUser('alice').id });
  });

  it('opens permalinks on their channel', async () => {
    const m = slack.emulator.postAsUser('alice', 'ops', 'linked');
    const res = await fetch(`${slack.url}/archives/${m.channel}/p${m.ts.replace('.', '')}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/#channel=${m.channel}&ts=${m.ts}`);
  });
});
