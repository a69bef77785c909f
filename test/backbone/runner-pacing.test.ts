import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { createLogger } from '../../src/log';
import { section } from '../../src/slack/blocks/text';
import { ChannelPacer } from '../../src/slack/channel-pacer';
import { slackPoster } from '../../src/slack/slack-poster';
import { ThreadReporter } from '../../src/slack/thread-reporter';
import { startSlackEmulator, type RunningSlackEmulator } from '../../sim/slack';

/**
 * Slack's pace (1 post/s/channel) means informational posts queue up when several jobs share an ops channel.
 * An approval question must not wait behind them: the real WebClient, the real pacer, the emulator.
 */
describe('thread reporter: an approval question jumps the channel queue', () => {
  let slack: RunningSlackEmulator;
  beforeAll(async () => {
    slack = await startSlackEmulator({ signingSecret: 's', botToken: 'xoxb-t', users: [{ id: 'U0ALICE', name: 'alice' }], channels: [{ id: 'C0OPS', name: 'elk-ops' }] });
  });
  afterAll(async () => {
    await slack?.close();
  });

  it('with 8 informational posts queued in the channel, the question is posted within ~1 s and ahead of them', async () => {
    const client = new WebClient('xoxb-t', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const setup = slackPoster(client, new ChannelPacer(100, 100));
    const paced = slackPoster(client, new ChannelPacer(1, 1));
    const log = createLogger('pacing-test', 'silent');
    const threads = await Promise.all([1, 2, 3, 4].map(async (i) => ({ channel: 'C0OPS', ts: await setup.post('C0OPS', { text: `job ${i}`, blocks: [section(`job ${i}`)] }) })));
    const reporters = threads.map((t) => new ThreadReporter(paced, t, log, 0));
    // Four jobs each finish a step and report progress: 8 posts at 1/s would take 8 s to drain.
    for (const [i, r] of reporters.entries()) {
      r.reply(`✅ step done in job ${i + 1}`);
      r.progress(`job ${i + 1}: copied 40,000 of 120,000 documents`);
    }
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const ts = await reporters[0].postNow({ text: 'Approval needed: delete logs-2024.01', blocks: [section('*Approval needed* — delete logs-2024.01')] });
    const waitedMs = Date.now() - t0;
    await Promise.all(reporters.map((r) => r.flush()));
    const replies = threads.flatMap((t) => slack.emulator.thread('C0OPS', t.ts).slice(1));
    const informational = replies.filter((m) => m.ts !== ts);
    expect(informational).toHaveLength(8);
    const behind = informational.filter((m) => Number(m.ts) > Number(ts)).length;
    console.log(`approval question posted after ${waitedMs} ms; ${behind} of 8 queued informational posts went after it`);
    expect(waitedMs).toBeLessThan(1_500);
    expect(behind).toBeGreaterThanOrEqual(6);
  }, 30_000);
});

describe('channel pacer: the last token of the burst is kept for a question', () => {
  const settledWithin = async (p: Promise<void>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

  it('after a flurry of progress lines the next line waits, a question goes out at once', async () => {
    const pacer = new ChannelPacer(1, 3);
    // Two progress lines use the burst down to its reserve.
    expect(await settledWithin(pacer.take('C0OPS'), 50)).toBe(true);
    expect(await settledWithin(pacer.take('C0OPS'), 50)).toBe(true);
    const third = pacer.take('C0OPS');
    expect(await settledWithin(third, 200)).toBe(false);
    // The reserve is the question's: no second of waiting (and Slack's own burst is never exceeded: 3 in a row).
    expect(await settledWithin(pacer.take('C0OPS', true), 50)).toBe(true);
    // The progress line still goes, at the channel's pace.
    expect(await settledWithin(third, 2_500)).toBe(true);
  });

  it('with a burst of 1 there is no reserve: a line and a question take turns at the pace', async () => {
    const pacer = new ChannelPacer(1, 1);
    expect(await settledWithin(pacer.take('C0OPS'), 50)).toBe(true);
    expect(await settledWithin(pacer.take('C0OPS', true), 200)).toBe(false);
  });
});

describe('thread reporter: a long reply arrives whole', () => {
  it('a reply longer than a section holds (120 lines, ~7,000 characters) is posted in pieces, every line once, in order', async () => {
    const slack = await startSlackEmulator({ signingSecret: 's', botToken: 'xoxb-t', users: [{ id: 'U0ALICE', name: 'alice' }], channels: [{ id: 'C0OPS', name: 'elk-ops' }] });
    try {
      const client = new WebClient('xoxb-t', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
      const poster = slackPoster(client, new ChannelPacer(100, 100));
      const thread = { channel: 'C0OPS', ts: await poster.post('C0OPS', { text: 'job', blocks: [section('job')] }) };
      const r = new ThreadReporter(poster, thread, createLogger('long-reply-test', 'silent'), 0);
      const lines = Array.from({ length: 120 }, (_, i) => `✅ rule-${String(i).padStart(3, '0')}.yaml: would have fired 3 times over 7 days (spike_height 2)`);
      r.reply(lines.join('\n'));
      await r.flush();
      const sections = slack.emulator
        .thread('C0OPS', thread.ts)
        .slice(1)
        .flatMap((m) => (m.blocks ?? []).map((b) => (b as { text?: { text?: string } }).text?.text ?? ''));
      expect(sections.length).toBeGreaterThan(2);
      for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
      expect(sections.join('\n').split('\n')).toEqual(lines);
    } finally {
      await slack.close();
    }
  });
});
