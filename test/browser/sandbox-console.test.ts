import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands';
import { jobModules } from '../../jobs/registry';
import { createLogger } from '../../src/log';
import { startSandbox, type Sandbox } from '../../sim/sandbox/start-sandbox';
import { jobCard, launchChromium, newJobId, openConsole, openThread, type ConsoleTab } from './console-page';

/**
 * The sandbox as a person uses it: Debian's Chromium on the console, alice typing, bob approving, a worker
 * process SIGKILLed from the console's panel. Nothing is called behind the page's back except reads of the
 * simulated cluster, to check that what the thread says happened did happen.
 *
 * The clock runs at 150× (the sandbox's default is 30×) so the full 9-node upgrade takes about 15 s of real
 * time instead of a minute. Approval deadlines are real time whatever the clock's speed: the example config's
 * 30 minutes (access.approvalTimeout), which no click here comes near.
 */
const SPEED = 150;
const DOC_SHOT = fileURLToPath(new URL('../../docs/job-thread.png', import.meta.url));
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

describe('the sandbox console in a browser', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let alice: ConsoleTab;
  let bob: ConsoleTab;
  const seen = new Set<string>();

  beforeAll(async () => {
    [sandbox, browser] = await Promise.all([
      startSandbox({ modules: jobModules, commands }, createLogger('browser-test', 'warn'), process.env, { freePorts: true, print: () => {}, speed: SPEED, workerLogLevel: 'warn' }),
      launchChromium(),
    ]);
    [alice, bob] = await Promise.all([openConsole(browser, sandbox.urls.console, ALICE), openConsole(browser, sandbox.urls.console, BOB)]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  const esJson = async (path: string, body?: unknown) =>
    (await fetch(`${sandbox.urls.es}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : undefined)).json();
  const versions = async () => Object.values((await esJson('/_nodes')).nodes as Record<string, { name: string; version: string }>).map((n) => n.version);

  it('lays out like Slack: only the message pane scrolls, the composer stays at the bottom, the tab has an icon', async () => {
    const { page } = alice;
    for (let i = 0; i < 40; i++) await page.evaluate((n) => fetch('/console/say', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0CAROL', channel: 'C0GENERAL', text: `filler ${n}` }) }), i);
    await page.locator('#channels .chan', { hasText: 'general' }).click();
    await alice.log.locator('.msg', { hasText: 'filler 39' }).waitFor();
    const m = await page.evaluate(() => {
      const log = document.getElementById('log')!;
      const composer = document.getElementById('composer')!.getBoundingClientRect();
      return { page: document.scrollingElement!.scrollHeight - innerHeight, logOverflow: log.scrollHeight - log.clientHeight, bottomGap: log.scrollHeight - log.scrollTop - log.clientHeight, composerBottom: composer.bottom, vh: innerHeight };
    });
    expect(m.page).toBe(0); // the page itself does not scroll
    expect(m.logOverflow).toBeGreaterThan(200); // the pane does
    expect(m.bottomGap).toBeLessThan(5); // and it opened at the newest message
    expect(m.composerBottom).toBe(m.vh);

    // Scrolled up to read: a new message does not move the pane; a pill offers to jump down.
    await page.evaluate(() => (document.getElementById('log')!.scrollTop = 0));
    await page.evaluate(() => fetch('/console/say', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0CAROL', channel: 'C0GENERAL', text: 'while you were reading' }) }));
    await page.locator('#newpill').waitFor();
    expect(await page.evaluate(() => document.getElementById('log')!.scrollTop)).toBe(0);
    await alice.shot('new-messages-pill');
    await page.locator('#newpill').click();
    await expect.poll(() => page.evaluate(() => { const l = document.getElementById('log')!; return l.scrollHeight - l.scrollTop - l.clientHeight; })).toBeLessThan(5);
    expect(await page.locator('#newpill').isHidden()).toBe(true);

    const icon = await page.evaluate(async () => { const r = await fetch('/favicon.ico'); return { status: r.status, type: r.headers.get('content-type') }; });
    expect(icon).toEqual({ status: 200, type: 'image/svg+xml' });
    await page.locator('#channels .chan', { hasText: 'elk-ops' }).click();
    await page.locator('#title', { hasText: '# elk-ops' }).waitFor();
  });

  it('/elk help answers alice alone, with every command', async () => {
    await alice.type('/elk help');
    const help = alice.log.locator('.msg.ephemeral', { hasText: '/elk upgrade' }).last();
    await help.waitFor();
    for (const c of commands) expect(await help.innerText()).toContain(c.usage.split(' ').slice(0, 2).join(' '));
    expect(await help.innerText()).toContain('Only visible to you');
    await alice.shot('help');
    expect(await bob.log.locator('.msg.ephemeral', { hasText: '/elk upgrade' }).count()).toBe(0);
  });

  it('refuses an unknown cluster, saying what to type instead, and starts nothing', async () => {
    await alice.type('/elk upgrade prod-typo');
    const refusal = alice.log.locator('.msg.ephemeral', { hasText: 'prod-typo' }).last();
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/sandbox/); // names the cluster that exists
    await alice.shot('refusal');
    expect(await alice.log.locator('.block-header').count()).toBe(0);
  });

  it('a dry run plans the upgrade in a thread and changes nothing', async () => {
    await alice.type('/elk upgrade sandbox --dry-run');
    const id = await newJobId(alice, 'upgrade', seen);
    seen.add(id);
    await openThread(alice, id);
    await expect.poll(() => jobCard(alice, id).innerText(), { timeout: 30_000 }).toMatch(/completed/i);
    expect(await alice.thread.innerText()).toMatch(/es-data-1/);
    await alice.shot('dry-run');
    expect(new Set(await versions())).toEqual(new Set(['7.17.25']));
  });

  it('a cancel from the job card stops the upgrade while it waits for approval; nothing was terminated', async () => {
    await alice.type('/elk upgrade sandbox');
    const id = await newJobId(alice, 'upgrade', seen);
    seen.add(id);
    await openThread(alice, id);
    await alice.thread.locator('button.btn', { hasText: 'Approve' }).first().waitFor({ timeout: 30_000 });
    await jobCard(alice, id).locator('button.btn', { hasText: 'Cancel' }).click();
    await expect.poll(() => jobCard(alice, id).innerText(), { timeout: 30_000 }).toMatch(/cancelled/i);
    await alice.shot('cancelled');
    expect(new Set(await versions())).toEqual(new Set(['7.17.25']));
  });

  it('a full upgrade, approved by bob, survives a SIGKILLed worker and ends with every node at 8.15.0', async () => {
    const workersBefore = sandbox.workers.list().map((w) => w.pid);
    await alice.type('/elk upgrade sandbox');
    const id = await newJobId(alice, 'upgrade', seen);
    seen.add(id);
    await Promise.all([openThread(alice, id), bob.page.locator('#log .msg', { hasText: id }).first().waitFor().then(() => openThread(bob, id))]);

    let approvals = 0;
    let killed = false;
    const deadline = Date.now() + 75_000;
    while (!/completed/i.test(await jobCard(bob, id).innerText())) {
      if (Date.now() > deadline) throw new Error(`upgrade ${id} did not complete in time; thread:\n${await bob.thread.innerText()}`);
      const approve = bob.thread.locator('button.btn.primary', { hasText: 'Approve' });
      if (await approve.count()) {
        // Slow recovery makes the next node's drain take several real seconds: the job is surely running then.
        if (approvals === 1) {
          await alice.page.locator('#panel button[data-action="slow-recovery"]').click();
          await alice.page.locator('#panel-msg', { hasText: 'slower' }).waitFor();
        }
        await approve.first().click();
        approvals++;
        await bob.thread.locator('.msg', { hasText: 'Approved' }).nth(approvals - 1).waitFor();
        if (approvals === 2 && !killed) {
          // Mid-step: the worker holding the job dies without a word, as a crash would.
          await alice.page.locator('#panel button[data-action="kill-worker"]').click();
          await alice.page.locator('#panel-msg', { hasText: 'killed with SIGKILL' }).waitFor();
          await alice.shot('worker-killed');
          await alice.page.locator('#panel button[data-action="start-worker"]').click();
          await alice.page.locator('#panel-msg', { hasText: 'started' }).waitFor({ timeout: 60_000 });
          await bob.thread.locator('.msg', { hasText: /Resumed by worker/ }).waitFor({ timeout: 30_000 });
          await alice.page.locator('#panel button[data-action="clear-faults"]').click();
          await alice.page.locator('#panel-msg', { hasText: 'All faults cleared' }).waitFor();
          killed = true;
        }
        continue;
      }
      await bob.page.waitForTimeout(100);
    }
    expect(killed).toBe(true);
    expect(approvals).toBe(9); // one per node, masters' included
    expect(new Set(await versions())).toEqual(new Set(['8.15.0']));
    expect((await esJson('/_cluster/health')).status).toBe('green');
    const resumed = await bob.thread.locator('.msg', { hasText: /Resumed by worker/ }).innerText();
    expect(resumed).toContain(String(workersBefore[0])); // names the worker that died
    expect(sandbox.workers.list().map((w) => w.pid)).not.toContain(workersBefore[0]);

    // bob never scrolled: both panes followed the job to its end, and no "new messages" pill is up.
    expect(await bob.page.locator('#newpill').isHidden()).toBe(true);
    const gaps = await bob.page.evaluate(() => ['log', 'thread-log'].map((id) => { const b = document.getElementById(id)!; return b.scrollHeight - b.scrollTop - b.clientHeight; }));
    for (const gap of gaps) expect(gap).toBeLessThan(5);
    await bob.page.setViewportSize({ width: 1360, height: 1000 });
    await bob.page.waitForTimeout(300);
    await bob.shot('job-thread-end');
    // The README's picture: the thread where the takeover happened, as the approver saw it.
    await bob.thread.locator('.msg', { hasText: /Resumed by worker/ }).evaluate((e) => e.scrollIntoView({ block: 'start' }));
    const shot = await bob.shot('job-thread');
    // Refreshed on request only (UPDATE_DOC_SHOTS=1), so a test run never dirties the work tree.
    if (process.env.UPDATE_DOC_SHOTS) {
      mkdirSync(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
      copyFileSync(shot, DOC_SHOT);
    }
  }, 100_000);

  it('the spike button makes the simulated access logs mostly 5xx now', async () => {
    const fiveXx = async () => (await esJson('/logstash-*/_count', { query: { range: { Status: { gte: 500 } } } })).count as number;
    const before = await fiveXx();
    await alice.page.locator('#panel button[data-action="spike-5xx"]').click();
    await alice.page.locator('#panel-msg', { hasText: '5xx spike started' }).waitFor();
    await esJson('/logstash-*/_refresh', {});
    await expect.poll(async () => (await esJson('/logstash-*/_refresh', {}), await fiveXx()), { timeout: 10_000 }).toBeGreaterThan(before + 100);
    expect(await alice.page.locator('#panel-lines').innerText()).toContain('5xx spike until');
    await alice.shot('panel-spike');
  });

  it('saw no failed request and no script error in either tab', () => {
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});
