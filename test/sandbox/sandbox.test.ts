import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelCommand } from '../../commands/cancel';
import { helpCommand } from '../../commands/help';
import { statusCommand } from '../../commands/status';
import type { Command } from '../../commands/types';
import { parseConfig } from '../../src/config/load-config';
import { createLogger } from '../../src/log';
import { startSandbox, type Sandbox } from '../../sim/sandbox/start-sandbox';
import { demoCommand, demoJob } from '../fixtures/demo-job';

// The demo registry keeps this test independent of the reindex and upgrade jobs; the wiring is the same.
const commands: Command<any>[] = [];
commands.push(helpCommand(() => commands), demoCommand, statusCommand, cancelCommand);

describe('npm run sandbox', () => {
  let sandbox: Sandbox;
  let banner = '';

  beforeAll(async () => {
    sandbox = await startSandbox({ modules: { demo: demoJob }, commands }, createLogger('sandbox-test', 'warn'), process.env, {
      freePorts: true,
      print: (text) => (banner += text),
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('prints where the console is and how to start', () => {
    expect(banner).toContain(`open ${sandbox.urls.console} in a browser`);
    expect(banner).toContain('/elk help');
    expect(banner).not.toMatch(/xoxb-/);
  });

  it('serves the console page and answers /elk help typed there by alice', async () => {
    const page = await fetch(sandbox.urls.console);
    expect(await page.text()).toContain('elk-ops sandbox');

    const sent = await fetch(`${sandbox.urls.console}/console/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'U0ALICE', channel: 'C0OPS', command: '/elk', text: 'help' }),
    });
    expect(await sent.json()).toMatchObject({ status: 200, timedOut: false });

    const state = await (await fetch(`${sandbox.urls.console}/console/state?channel=C0OPS&user=U0ALICE`)).json();
    const help = state.ephemerals.map((e: { text: string }) => e.text).join('\n');
    for (const c of commands) expect(help).toContain(c.usage);
    expect(state.channels.map((c: { name: string }) => c.name)).toEqual(['elk-ops', 'general']);
    expect(state.users.filter((u: { is_bot: boolean }) => !u.is_bot).map((u: { name: string }) => u.name)).toEqual(['alice', 'bob', 'carol']);
  });

  it('runs the bot with the example config: the demo command is not granted there, upgrade access is', async () => {
    const sent = await fetch(`${sandbox.urls.console}/console/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'U0CAROL', channel: 'C0OPS', command: '/elk', text: 'demo sandbox' }),
    });
    expect(await sent.json()).toMatchObject({ status: 200 });
    const state = await (await fetch(`${sandbox.urls.console}/console/state?channel=C0OPS&user=U0CAROL`)).json();
    expect(state.ephemerals.at(-1).text).toContain('is not enabled: add `access.commands.demo`');
  });

  it('answers /healthz on the bot port, and the simulated Elasticsearch is the configured one', async () => {
    expect(await (await fetch(`${sandbox.urls.bot}/healthz`)).json()).toEqual({ ok: true });
    const health = await (await fetch(`${sandbox.urls.es}/_cluster/health`)).json();
    expect(health).toMatchObject({ cluster_name: 'sandbox', number_of_nodes: 9 });
  });

  it('serves the estate\'s fault knobs, and the banner says how to change them', async () => {
    expect(banner).toContain(`curl -d '{"es":`);
    expect(banner).toContain(`${sandbox.urls.knobs}/knobs`);
    const knobs = await (await fetch(`${sandbox.urls.knobs}/knobs`)).json();
    expect(knobs.aws).toMatchObject({ failBoot: 0, deny: [] });
  });

  it('closes everything: the ports stop answering', async () => {
    const { console: consoleUrl, bot, knobs } = sandbox.urls;
    await sandbox.close();
    await expect(fetch(`${bot}/healthz`)).rejects.toThrow();
    await expect(fetch(`${knobs}/knobs`)).rejects.toThrow();
    await expect(fetch(consoleUrl)).rejects.toThrow();
  });
});

describe('elk-ops.example.yml', () => {
  const text = readFileSync(new URL('../../elk-ops.example.yml', import.meta.url), 'utf8');
  const secrets = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ELASTALERT_WEBHOOK_SECRET: 'w' };

  it('is valid as shipped, with production defaults: no simulator endpoint, real clock', () => {
    const config = parseConfig(text, secrets);
    expect(config.clusters.sandbox.elasticsearch.url).toBe('http://127.0.0.1:9200');
    expect(config.clusters.sandbox.aws).toMatchObject({ region: 'eu-west-1', groups: { masters: 'es-master', data: 'es-data' } });
    expect(config.clusters.sandbox.aws?.endpoint).toBeUndefined();
    expect(config.clock.speed).toBe(1);
    expect(config.access).toMatchObject({ approvers: ['U0BOB'], requesterMayApprove: false });
  });

  it('refuses to start without its secrets in the environment', () => {
    expect(() => parseConfig(text, { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).toThrow(/ELASTALERT_WEBHOOK_SECRET is not set/);
  });
});
