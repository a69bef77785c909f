import { ErrorCode, LogLevel, WebClient, WebClientEvent, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type RunningSlackEmulator } from '../../../sim/slack';

const botToken = 'xoxb-test-token';
let slack: RunningSlackEmulator;
let client: WebClient;

beforeAll(async () => {
  slack = await startSlackEmulator({
    signingSecret: 'shh',
    botToken,
    users: [{ name: 'alice' }, { name: 'bob' }],
    channels: [{ name: 'ops' }, { name: 'elsewhere', members: ['alice'] }],
  });
  client = new WebClient(botToken, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 } });
});
afterAll(() => slack.close());

async function platformError(p: Promise<unknown>): Promise<WebAPIPlatformError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'the call should have failed').toBeDefined();
  expect((e as WebAPIPlatformError).code).toBe(ErrorCode.PlatformError);
  return e as WebAPIPlatformError;
}

describe('Web API through the real WebClient', () => {
  it('answers auth.test with the bot identity', async () => {
    const r = await client.auth.test();
    expect(r).toMatchObject({ ok: true, user_id: slack.emulator.botUserId, team_id: 'T0EMULATOR', bot_id: expect.any(String) });
  });

  it('posts, updates and reads back a message', async () => {
    const ops = slack.emulator.channel('ops');
    const posted = await client.chat.postMessage({ channel: ops.id, text: 'job started', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Rolling restart* started' } }] });
    expect(posted).toMatchObject({ ok: true, channel: ops.id, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    expect(posted.message).toMatchObject({ type: 'message', text: 'job started', user: slack.emulator.botUserId, bot_id: expect.any(String) });

    const updated = await client.chat.update({ channel: ops.id, ts: posted.ts!, text: 'job done' });
    expect(updated).toMatchObject({ ok: true, channel: ops.id, ts: posted.ts, text: 'job done' });
    const [stored] = slack.emulator.messages('ops').filter((m) => m.ts === posted.ts);
    expect(stored.text).toBe('job done');
    expect(stored.edited?.user).toBe(slack.emulator.botUserId);
    // chat.update keeps blocks it was not given, as Slack does.
    expect(stored.blocks).toHaveLength(1);
    expect(stored.revisions.map((r) => r.text)).toEqual(['job started']);

    const history = await client.conversations.history({ channel: ops.id, limit: 1 });
    expect(history.messages?.[0]).toMatchObject({ ts: posted.ts, text: 'job done' });
    expect(history.messages?.[0]).not.toHaveProperty('channel');
  });

  it('keeps timestamps unique and increasing', async () => {
    const ts = [];
    for (let i = 0; i < 5; i++) ts.push((await client.chat.postMessage({ channel: 'ops', text: `n${i}` })).ts!);
    expect(new Set(ts).size).toBe(5);
    expect([...ts].sort((a, b) => Number(a) - Number(b))).toEqual(ts);
  });

  it('threads replies, counts them and links to them', async () => {
    const ops = slack.emulator.channel('ops').id;
    const parent = await client.chat.postMessage({ channel: ops, text: 'card' });
    const r1 = await client.chat.postMessage({ channel: ops, text: 'step 1 done', thread_ts: parent.ts });
    await client.chat.postMessage({ channel: ops, text: 'all done', thread_ts: parent.ts!, reply_broadcast: true, unfurl_links: false });

    const replies = await client.conversations.replies({ channel: ops, ts: parent.ts! });
    expect(replies.messages?.map((m) => m.text)).toEqual(['card', 'step 1 done', 'all done']);
    expect(replies.messages?.[0]).toMatchObject({ reply_count: 2, thread_ts: parent.ts, latest_reply: expect.any(String) });
    expect(replies.messages?.[1]).toMatchObject({ thread_ts: parent.ts, parent_user_id: slack.emulator.botUserId });

    const history = await client.conversations.history({ channel: ops });
    const texts = history.messages?.map((m) => m.text);
    expect(texts).toContain('all done'); // broadcast
    expect(texts).not.toContain('step 1 done');

    const link = await client.chat.getPermalink({ channel: ops, message_ts: r1.ts! });
    expect(link.permalink).toBe(`${slack.url}/archives/${ops}/p${r1.ts!.replace('.', '')}?thread_ts=${parent.ts}&cid=${ops}`);
    expect(slack.emulator.thread('ops', parent.ts!).map((m) => m.text)).toEqual(['card', 'step 1 done', 'all done']);
  });

  it('answers conversations.info, users.info and chat.postEphemeral', async () => {
    const info = await client.conversations.info({ channel: slack.emulator.channel('ops').id });
    expect(info.channel).toMatchObject({ name: 'ops', is_member: true, is_channel: true });
    const alice = slack.emulator.workspace.requireUser('alice');
    const user = await client.users.info({ user: alice.id });
    expect(user.user).toMatchObject({ id: alice.id, name: 'alice', real_name: 'Alice', is_bot: false });
    const eph = await client.chat.postEphemeral({ channel: 'ops', user: alice.id, text: 'only you' });
    expect(eph).toMatchObject({ ok: true, message_ts: expect.any(String) });
    expect(slack.emulator.ephemerals('alice').at(-1)).toMatchObject({ text: 'only you', source: 'chat.postEphemeral' });
    expect(slack.emulator.ephemerals('bob').some((e) => e.text === 'only you')).toBe(false);
  });

  it('surfaces Slack errors as WebAPIPlatformError', async () => {
    expect((await platformError(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }))).data.error).toBe('channel_not_found');
    expect((await platformError(client.chat.postMessage({ channel: 'elsewhere', text: 'x' }))).data.error).toBe('not_in_channel');
    expect((await platformError(client.chat.update({ channel: 'ops', ts: '1.000001', text: 'x' }))).data.error).toBe('message_not_found');
    expect((await platformError(client.chat.postMessage({ channel: 'ops', text: '' }))).data.error).toBe('no_text');
    expect((await platformError(client.chat.postMessage({ channel: 'ops', text: 'x'.repeat(40_001) }))).data.error).toBe('msg_too_long');
    expect((await platformError(client.users.info({ user: 'U0NOBODY' }))).data.error).toBe('user_not_found');
    const stranger = new WebClient('xoxb-wrong', { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    expect((await platformError(stranger.auth.test())).data.error).toBe('invalid_auth');
    const anonymous = new WebClient(undefined, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    expect((await platformError(anonymous.auth.test())).data.error).toBe('not_authed');
  });

  it('answers with Slack headers, and accepts the token in a form field', async () => {
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: botToken, channel: 'ops', text: 'raw' }),
    });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toMatchObject({ ok: true, message: { text: 'raw' } });
    const json = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${botToken}` },
      body: JSON.stringify({ channel: 'ops', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, message: { text: 'json', blocks: [{ type: 'divider' }] } });
  });

  it('records every call with its outcome', async () => {
    const before = slack.emulator.calls.length;
    await client.chat.postMessage({ channel: 'ops', text: 'counted' });
    await client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }).catch(() => undefined);
    const mine = slack.emulator.calls.slice(before);
    expect(mine.map((c) => [c.method, c.status, c.ok, c.error])).toEqual([
      ['chat.postMessage', 200, true, undefined],
      ['chat.postMessage', 200, false, 'channel_not_found'],
    ]);
    expect(mine[0].args).toMatchObject({ channel: 'ops', text: 'counted' });
    expect(mine[0].args).not.toHaveProperty('token');
  });

  it('fails the next calls on demand with any Slack error', async () => {
    slack.emulator.failNext('chat.update', { error: 'channel_not_found' }, 2);
    const m = await client.chat.postMessage({ channel: 'ops', text: 'x' });
    for (let i = 0; i < 2; i++) expect((await platformError(client.chat.update({ channel: 'ops', ts: m.ts!, text: 'y' }))).data.error).toBe('channel_not_found');
    expect((await client.chat.update({ channel: 'ops', ts: m.ts!, text: 'y' })).ok).toBe(true);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After, which the WebClient waits out and retries', async () => {
    slack.emulator.failNext('chat.postMessage', { status: 429, retryAfterSec: 1 });
    const limited: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (sec: number) => limited.push(sec));
    const started = Date.now();
    const r = await client.chat.postMessage({ channel: 'ops', text: 'patient' });
    const waited = Date.now() - started;
    expect(r.ok).toBe(true);
    expect(limited).toEqual([1]);
    expect(waited).toBeGreaterThanOrEqual(1000);
    const last = slack.emulator.calls.filter((c) => c.method === 'chat.postMessage').slice(-2);
    expect(last.map((c) => [c.status, c.error])).toEqual([
      [429, 'ratelimited'],
      [200, undefined],
    ]);
  });

  it('gives the raw 429 the shape Slack gives it', async () => {
    slack.emulator.rateLimitFor('conversations.history', 30_000);
    const res = await fetch(`${slack.apiUrl}conversations.history`, {
      method: 'POST',
      headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=ops',
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('in realistic mode lets a burst through, then limits chat.postMessage per channel', async () => {
    const s = await startSlackEmulator({ signingSecret: 'x', botToken, channels: [{ name: 'a' }, { name: 'b' }], realisticRateLimits: true });
    try {
      const fast = new WebClient(botToken, { slackApiUrl: s.apiUrl, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
      const outcomes: string[] = [];
      for (let i = 0; i < 6; i++) outcomes.push(await fast.chat.postMessage({ channel: 'a', text: `${i}` }).then(() => 'ok', (e) => e.code));
      expect(outcomes.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(outcomes.slice(4)).toEqual([ErrorCode.RateLimitedError, ErrorCode.RateLimitedError]);
      // Another channel has its own allowance.
      expect((await fast.chat.postMessage({ channel: 'b', text: 'fine' })).ok).toBe(true);
    } finally {
      await s.close();
    }
  });
});
