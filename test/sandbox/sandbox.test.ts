import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelCommand } from '../../commands/cancel';
import { helpCommand } from '../../commands/help';
import { statusCommand } from '../../commands/status';
import type { Command } from '../../commands/types';
import { parseConfig } from '../../src/config/load-config';
import { createLogger } from '../../src/log';
import { elastalertInstalled } from '../../sim/elastalert/run-elastalert';
import { startSandbox, type Sandbox } from '../../sim/sandbox/start-sandbox';
import { demoCommand, demoJob } from '../fixtures/demo-job';

// The demo registry keeps this test independent of the reindex and upgrade jobs; the wiring is the same.
const commands: Command<any>[] = [];
commands.push(helpCommand(() => commands), demoCommand, statusCommand, cancelCommand);

/** Twice the sandbox's default, so the alert test's 15-minute quiet period takes 15 s of real time, not 30. */
const SPEED = 60;
const MINUTE = 60_000;
const realMs = (clockMs: number) => clockMs / SPEED;

describe('npm run sandbox', () => {
  let sandbox: Sandbox;
  let banner = '';

  beforeAll(async () => {
    sandbox = await startSandbox({ modules: { demo: demoJob }, commands }, createLogger('sandbox-test', 'warn'), process.env, {
      freePorts: true,
      speed: SPEED,
      print: (text) => (banner += text),
      workerEntry: fileURLToPath(new URL('./demo-worker-main.ts', import.meta.url)),
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
    // /elk help leads with examples and lists each command briefly; the flags are in /elk help <command>.
    for (const c of commands) expect(help).toContain(`/elk ${c.name}`);
    expect(help).toContain('/elk help <command>');
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

  it('says that every start is a clean one, and where the workers run', () => {
    expect(banner).toContain('This is a clean start');
    expect(banner).toContain(`child process ${sandbox.workers.list()[0].pid}`);
  });

  const action = async (id: string) => {
    const res = await fetch(`${sandbox.urls.console}/console/action`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: id }) });
    return { status: res.status, body: await res.json() };
  };

  it('runs its worker as a child process that the console can SIGKILL and replace', async () => {
    const [first] = sandbox.workers.list();
    expect(first.pid).not.toBe(process.pid);
    expect(() => process.kill(first.pid, 0)).not.toThrow(); // a real process

    const killed = await action('kill-worker');
    expect(killed.status).toBe(200);
    expect(killed.body.message).toContain(`Worker pid ${first.pid} killed with SIGKILL`);
    expect(() => process.kill(first.pid, 0)).toThrow(); // gone, and reaped
    expect(killed.body.panel.lines[0]).toBe('workers: none — jobs wait in the queue');
    expect((await action('kill-worker')).body.message).toBe('No worker is running: start one first.');

    const started = await action('start-worker');
    const [second] = sandbox.workers.list();
    expect(started.body.message).toBe(`Worker pid ${second.pid} started and waiting for jobs.`);
    expect(second.pid).not.toBe(first.pid);
  }, 60_000);

  it('sets the fault knobs from the console and clears them again', async () => {
    const es = sandbox.estate.es.cluster.knobs;
    const aws = sandbox.estate.aws.sim.knobs;
    for (const id of ['never-join', 'slow-recovery', 'fail-boot', 'http-5xx']) expect((await action(id)).status).toBe(200);
    expect(es.neverJoin.has('es-data-1')).toBe(true);
    expect(es.recoveryBytesPerSec).toBe(1024);
    expect(aws.failBoot).toBe(1);
    expect((await fetch(`${sandbox.urls.es}/_cluster/health`)).status).toBe(503);
    const panel = await (await fetch(`${sandbox.urls.console}/console/panel`)).json();
    expect(panel.lines[1]).toMatch(/^faults: replacements never join; recovery 1 kB\/s; 1 boot failure pending; \d+ HTTP faults pending$/);

    expect((await action('clear-faults')).body.message).toContain('All faults cleared');
    expect(es.neverJoin.size).toBe(0);
    expect(es.recoveryBytesPerSec).toBe(40 * 1024 * 1024);
    expect(aws.failBoot).toBe(0);
    expect((await fetch(`${sandbox.urls.es}/_cluster/health`)).status).toBe(200);
  });

  it('turns the spike button into an alert thread that resolves once the spike is over and the quiet period has passed', async () => {
    const state = async () => (await fetch(`${sandbox.urls.console}/console/state?channel=C0OPS&user=U0ALICE`)).json();
    const alertParents = async () => ((await state()).messages as any[]).filter((m) => JSON.stringify(m.blocks ?? []).includes('"ap-') && JSON.stringify(m).includes('Spike in 5xxs'));
    // Where Debian's elastalert is installed (CI), the real daemon runs the rule and its own `post` alerter sends.
    expect(sandbox.alerts.source).toMatch(elastalertInstalled() ? /^Elastalert 0\.2\.4/ : /rule engine/);
    expect(banner).toContain(`run by ${sandbox.alerts.source}`);
    // Steady traffic (1 % 5xx, with history from before the start) never reaches the rule's threshold_cur.
    expect(await alertParents()).toEqual([]);
    expect((await action('spike-5xx')).body.message).toContain('5xx spike started');
    // The next clock minute's run matches; then the secret header, the queue, the worker process, the thread.
    await expect.poll(async () => (await alertParents()).length, { timeout: realMs(3 * MINUTE) + 10_000, interval: 250 }).toBe(1);
    const [firing] = await alertParents();
    expect(firing.text).toMatch(/^🔴 Spike in 5xxs: firing, 1 alert$/);
    const spiked = /5xxs spiked 2x\. Was (\d+) in the last 0:05:00, compared to (\d+) the previous/.exec(JSON.stringify(firing.blocks));
    expect(spiked, JSON.stringify(firing.blocks)).not.toBeNull();
    const [now, before] = [Number(spiked![1]), Number(spiked![2])];
    expect(now).toBeGreaterThanOrEqual(Math.max(30, 2 * before));
    // Fired at the spike's onset: the rule checks at every event, so it matched as the count crossed threshold_cur
    // (30), against steady traffic. A rule still filling its windows fires minutes late (hundreds counted), or
    // never, once its reference window holds the spike too.
    expect(now).toBeLessThan(60);
    expect(before).toBeLessThan(30);
    // The cluster comes from the rule's http_post_static_payload, as Elastalert's post alerter sends it.
    expect(JSON.stringify(firing.blocks)).toContain('*Cluster*\\nsandbox');
    await expect.poll(async () => JSON.stringify((await alertParents())[0].replies), { timeout: 15_000, interval: 250 }).toContain('What moved');

    expect((await action('clear-faults')).body.message).toContain('any 5xx spike has stopped');
    // elastalert.alerts.quietPeriod of the example config (15 min) with no new alert: the parent is redrawn resolved.
    await expect.poll(async () => (await alertParents())[0].text, { timeout: realMs(15 * MINUTE) + 15_000, interval: 250 }).toMatch(/^✅ Spike in 5xxs: resolved \(quiet\), 1 alert$/);
    expect(await alertParents()).toHaveLength(1);
    expect(JSON.stringify((await alertParents())[0].replies)).toContain('Resolved*: no alert for 15 min');
    expect(sandbox.alerts.sent()).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('starts a 5xx spike in the simulated access logs', async () => {
    const count = async () => {
      await fetch(`${sandbox.urls.es}/logstash-*/_refresh`, { method: 'POST' });
      const res = await fetch(`${sandbox.urls.es}/logstash-*/_count`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: { range: { Status: { gte: 500 } } } }) });
      return (await res.json()).count as number;
    };
    const before = await count();
    expect((await action('spike-5xx')).body.message).toContain('5xx spike started');
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(before + 50);
    await action('clear-faults');
  });

  it('refuses an unknown console action, naming the known ones', async () => {
    const r = await action('reboot-everything');
    expect(r.status).toBe(400);
    expect(r.body.error).toContain('unknown action "reboot-everything"; known: kill-worker, start-worker');
  });

  it('serves a tab icon, so the browser\'s /favicon.ico is no 404', async () => {
    const res = await fetch(`${sandbox.urls.console}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toContain('<svg');
  });

  it('closes everything: the ports stop answering, the worker process is gone', async () => {
    const { console: consoleUrl, bot, knobs } = sandbox.urls;
    const pids = sandbox.workers.list().map((w) => w.pid);
    await sandbox.close();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
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
