import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless; .ci/run installs it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  } catch (e) {
    throw new Error(`could not start Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH — ${(e as Error).message}`);
  }
}

/** One person's console tab, and every failed request and page error it saw (a test ends by asserting none). */
export interface ConsoleTab {
  page: Page;
  problems: string[];
  /** Types into the channel composer and sends, as a person would (Enter). */
  type(text: string): Promise<void>;
  /** The channel pane and the thread pane. */
  log: Locator;
  thread: Locator;
  shot(name: string): Promise<string>;
}

export async function openConsole(browser: Browser, baseUrl: string, user: string, channel = 'C0OPS'): Promise<ConsoleTab> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  // The job card's Cancel asks "Cancel this job?" (Slack's confirm dialog, a window.confirm here): say yes.
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${baseUrl}/#channel=${channel}&user=${user}`);
  await page.locator('#channels .chan.sel').waitFor();
  return {
    page,
    problems,
    log: page.locator('#log'),
    thread: page.locator('#thread'),
    async type(text) {
      await page.locator('#input').fill(text);
      await page.locator('#input').press('Enter');
    },
    async shot(name) {
      const path = `${ARTIFACTS}${name}.png`;
      await page.screenshot({ path });
      return path;
    },
  };
}

/** The top-level message that is the job card of `jobId`, in the channel pane. */
export function jobCard(tab: ConsoleTab, jobId: string): Locator {
  return tab.log.locator('.msg', { hasText: jobId }).filter({ has: tab.page.locator('.block-header') }).first();
}

/** Opens the job's thread beside the channel, as clicking "N replies" does. */
export async function openThread(tab: ConsoleTab, jobId: string): Promise<void> {
  await jobCard(tab, jobId).locator('.thread-toggle').click();
  await tab.thread.locator('.parent', { hasText: jobId }).waitFor();
}

/** The first job id of `kind` that appears in the channel pane (the bot names every run). */
export async function newJobId(tab: ConsoleTab, kind: string, known: Set<string>, timeoutMs = 20_000): Promise<string> {
  const re = new RegExp(`${kind}-sandbox-\\d{8}-\\d{4}-[0-9a-z]{4}`, 'g');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ids = (await tab.log.innerText()).match(re) ?? [];
    const fresh = ids.find((id) => !known.has(id));
    if (fresh) return fresh;
    await tab.page.waitForTimeout(100);
  }
  throw new Error(`no new ${kind} job appeared in the channel within ${timeoutMs} ms`);
}
