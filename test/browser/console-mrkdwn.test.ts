import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type RunningSlackEmulator } from '../../sim/slack';
import { launchChromium } from './console-page';

/**
 * The console renders mrkdwn as Slack does (issue #12): a Slack date token in the reader's own time zone as
 * plain text, and ~strike~ only where Slack would strike. Debian's Chromium, Tokyo time (UTC+9, no DST), en-GB.
 */
describe('the console\'s mrkdwn, in a browser', () => {
  let slack: RunningSlackEmulator;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    [slack, browser] = await Promise.all([startSlackEmulator({ signingSecret: 's', botToken: 'xoxb-mrkdwn', channels: [{ name: 'ops' }] }), launchChromium()]);
    const context = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${slack.url}/#channel=ops&user=alice`);
    await page.locator('#channels .chan.sel').waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await slack?.close();
  });

  // As the bot posts it (a person's typed text would have its < and > escaped, as Slack does).
  const say = async (text: string) => {
    slack.emulator.workspace.post(slack.emulator.channel('ops').id, slack.emulator.workspace.bot, { text });
  };
  const rendered = async (marker: string) => {
    const msg = page.locator('#log .msg', { hasText: marker }).last();
    await msg.waitFor();
    return msg.locator('.text');
  };

  it('shows a Slack date token as the reader\'s local time, in plain text, not as a mention with the UTC fallback', async () => {
    const at = Date.UTC(2025, 5, 15, 9, 12) / 1000; // 18:12 in Tokyo
    await say(`date-check: no decision by <!date^${at}^{date_short_pretty} {time}|2025-06-15 09:12 UTC> means rejected`);
    const text = await rendered('date-check');
    expect(await text.innerText()).toBe('date-check: no decision by 15 Jun 2025 18:12 means rejected');
    expect(await text.locator('.mention').count()).toBe(0);
    // Today's date reads "today", as in Slack.
    const soon = Math.floor(Date.now() / 1000);
    await say(`today-check <!date^${soon}^{date_short_pretty} {time}|fallback>`);
    expect(await (await rendered('today-check')).innerText()).toMatch(/^today-check (today|yesterday|tomorrow) \d{1,2}:\d{2}$/);
  });

  it('strikes ~text~ only with Slack\'s word boundaries: two loose tildes in an estimate stay tildes', async () => {
    await say('tilde-check: Estimate: ~12.0 GB to move twice at 40 MB/s, boot ~5m per node');
    const loose = await rendered('tilde-check');
    expect(await loose.locator('s').count()).toBe(0);
    expect(await loose.innerText()).toBe('tilde-check: Estimate: ~12.0 GB to move twice at 40 MB/s, boot ~5m per node');
    await say('strike-check: ~no longer asked~ and *bold*, but not 2 * 3 * 4');
    const struck = await rendered('strike-check');
    expect(await struck.locator('s').allInnerTexts()).toEqual(['no longer asked']);
    expect(await struck.locator('b').allInnerTexts()).toEqual(['bold']);
    expect(errors).toEqual([]);
  });
});
