import { App, LogLevel, type BlockAction, type ButtonAction } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageText, startSlackEmulator, type RunningSlackEmulator } from '../../../sim/slack';
import { freePort } from '../../helpers/redis-server';

const signingSecret = 'bolt-signing-secret';
const botToken = 'xoxb-bolt';
let slack: RunningSlackEmulator;
let app: App;
const seenActions: BlockAction[] = [];

const approvalCard = (job: string) => [
  { type: 'header', text: { type: 'plain_text', text: `Approve ${job}?` } },
  { type: 'section', text: { type: 'mrkdwn', text: `Rolling restart of *${job}* needs approval` } },
  {
    type: 'actions',
    block_id: `approval:${job}`,
    elements: [
      { type: 'button', style: 'primary', text: { type: 'plain_text', text: 'Approve' }, action_id: 'approve', value: job },
      { type: 'button', style: 'danger', text: { type: 'plain_text', text: 'Reject' }, action_id: 'reject', value: job },
    ],
  },
];

beforeAll(async () => {
  slack = await startSlackEmulator({ signingSecret, botToken, channels: [{ name: 'ops' }], ackTimeoutMs: 1000 });
  app = new App({ signingSecret, token: botToken, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: slack.apiUrl } });

  app.command('/elk', async ({ command, ack, client, respond }) => {
    const [verb, arg] = command.text.split(/\s+/);
    if (verb === 'help') return ack({ text: 'usage', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Usage:* `/elk restart <cluster>`' } }] });
    if (verb === 'status') return ack({ response_type: 'in_channel', text: `all green, asked by ${command.user_name}` });
    if (verb === 'drain') {
      return ack({
        text: `Drain ${arg}?`,
        blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Yes, drain' }, action_id: 'drain_yes', value: arg }] }],
      });
    }
    if (verb === 'slow') {
      await new Promise((r) => setTimeout(r, 1500));
      return ack();
    }
    await ack();
    await client.chat.postMessage({ channel: command.channel_id, text: `Approve ${arg}?`, blocks: approvalCard(arg) });
    await respond({ text: `queued restart of ${arg}` });
  });

  app.action<BlockAction<ButtonAction>>('approve', async ({ ack, body, action, client, respond }) => {
    await ack();
    seenActions.push(body);
    const card = body.message!;
    await client.chat.update({ channel: body.channel!.id, ts: card.ts, text: `${action.value} approved`, blocks: [] });
    await client.chat.postMessage({ channel: body.channel!.id, thread_ts: card.ts, text: `Approved by <@${body.user.id}>, restarting ${action.value}` });
    await respond({ response_type: 'ephemeral', text: 'thanks' });
  });

  app.action<BlockAction<ButtonAction>>('drain_yes', async ({ ack, body, action, respond }) => {
    await ack();
    seenActions.push(body);
    await respond({ replace_original: true, text: `draining ${action.value}` });
  });

  app.action<BlockAction<ButtonAction>>('reject', async ({ ack, respond }) => {
    await ack();
    await respond({ delete_original: true });
  });

  const port = await freePort();
  await app.start(port);
  slack.emulator.setRequestUrl(`http://127.0.0.1:${port}/slack/events`);
});

afterAll(async () => {
  await app.stop();
  await slack.close();
});

describe('delivering to a real Bolt app', () => {
  it('turns an ack body into an ephemeral message for the user', async () => {
    const r = await slack.emulator.slashCommand({ user: 'alice', channel: 'ops', text: 'help' });
    expect(r.status).toBe(200);
    expect(r.elapsedMs).toBeGreaterThan(0);
    expect(r.body).toMatchObject({ text: 'usage' });
    expect(r.shown).toMatchObject({ ephemeral: true, user: slack.emulator.workspace.requireUser('alice').id, source: 'ack' });
    expect(messageText(r.shown!)).toContain('/elk restart <cluster>');
    expect(slack.emulator.messages('ops')).toHaveLength(0);
  });

  it('shows an in_channel ack to everyone', async () => {
    const r = await slack.emulator.slashCommand({ user: 'bob', channel: 'ops', text: 'status' });
    expect(r.shown).toMatchObject({ channel: slack.emulator.channel('ops').id, text: 'all green, asked by bob', user: slack.emulator.botUserId });
    expect(slack.emulator.messages('ops').at(-1)?.text).toBe('all green, asked by bob');
  });

  it('carries a command through to an approval click, an edit and a thread reply', async () => {
    const r = await slack.emulator.slashCommand({ user: 'alice', channel: 'ops', text: 'restart logs-prod' });
    expect(r.status).toBe(200);
    expect(r.body).toBeUndefined();
    await slack.emulator.waitFor((m) => 'ephemeral' in m && m.text === 'queued restart of logs-prod');

    const approve = await slack.emulator.waitUntil(() => {
      try {
        return slack.emulator.findButton('ops', 'Approve');
      } catch {
        return undefined;
      }
    });
    expect(approve).toMatchObject({ actionId: 'approve', blockId: 'approval:logs-prod', value: 'logs-prod', style: 'primary' });

    const click = await slack.emulator.clickButton({ user: 'bob', ...approve });
    expect(click.status).toBe(200);
    const reply = await slack.emulator.waitFor((m) => m.thread_ts === approve.messageTs && m.ts !== approve.messageTs && m.text.includes('restarting logs-prod'));
    const bob = slack.emulator.workspace.requireUser('bob').id;
    expect(reply.text).toBe(`Approved by <@${bob}>, restarting logs-prod`);

    const card = slack.emulator.thread('ops', approve.messageTs)[0];
    expect(card).toMatchObject({ text: 'logs-prod approved', reply_count: 1, edited: { user: slack.emulator.botUserId } });
    expect(card.blocks).toBeUndefined();
    await slack.emulator.waitFor((m) => 'ephemeral' in m && m.user === bob && m.text === 'thanks');

    const payload = seenActions.at(-1)!;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: bob, username: 'bob', name: 'bob', team_id: 'T0EMULATOR' },
      container: { type: 'message', message_ts: approve.messageTs, channel_id: slack.emulator.channel('ops').id, is_ephemeral: false },
      channel: { id: slack.emulator.channel('ops').id, name: 'ops' },
      message: { ts: approve.messageTs, blocks: approvalCard('logs-prod') },
      actions: [{ action_id: 'approve', block_id: 'approval:logs-prod', value: 'logs-prod', type: 'button', text: { type: 'plain_text', text: 'Approve' } }],
      response_url: expect.stringMatching(/\/respond\/\w+$/),
      trigger_id: expect.any(String),
    });
  });

  it('applies delete_original from a response_url', async () => {
    await slack.emulator.slashCommand({ user: 'alice', channel: 'ops', text: 'restart metrics' });
    const reject = await slack.emulator.waitUntil(() => slack.emulator.messages('ops').find((m) => m.text === 'Approve metrics?'));
    await slack.emulator.clickButton({ user: 'alice', channel: 'ops', messageTs: reject.ts, actionId: 'reject' });
    await slack.emulator.waitUntil(() => !slack.emulator.messages('ops').includes(reject));
  });

  it('clicks a button in an ephemeral answer, which only its viewer can do', async () => {
    const r = await slack.emulator.slashCommand({ user: 'alice', channel: 'ops', text: 'drain es-data-3' });
    const button = slack.emulator.findButton('ops', 'Yes, drain');
    expect(button.messageTs).toBe(r.shown!.ts);
    await expect(slack.emulator.clickButton({ user: 'bob', ...button })).rejects.toThrow(/that bob can see/);
    await slack.emulator.clickButton({ user: 'alice', ...button });
    expect(seenActions.at(-1)).toMatchObject({ container: { is_ephemeral: true, message_ts: button.messageTs } });
    expect(seenActions.at(-1)).not.toHaveProperty('message');
    await slack.emulator.waitFor((m) => m.ts === button.messageTs && m.text === 'draining es-data-3');
  });

  it('refuses to click a button the bot never rendered', async () => {
    const card = slack.emulator.messages('ops').find((m) => m.text === 'all green, asked by bob')!;
    await expect(slack.emulator.clickButton({ user: 'bob', channel: 'ops', messageTs: card.ts, actionId: 'approve' })).rejects.toThrow(/has no button approve/);
  });

  it('is rejected by Bolt when the signature is forged or stale', async () => {
    for (const signature of ['forged', 'stale'] as const) {
      const r = await slack.emulator.slashCommand({ user: 'alice', channel: 'ops', text: 'help', signature });
      expect(r.status).toBe(401);
      expect(r.shown).toMatchObject({ source: 'slack', text: '/elk failed with the error "dispatch_failed"' });
    }
  });

  it("shows Slack's operation_timeout when the bot is too slow to ack", async () => {
    const r = await slack.emulator.slashCommand({ user: 'alice', channel: 'ops', text: 'slow' });
    expect(r.timedOut).toBe(true);
    expect(r.shown?.text).toBe('/elk failed with the error "operation_timeout"');
  });

  it('enforces the response_url allowance of 5 uses', async () => {
    const r = await slack.emulator.slashCommand({ user: 'alice', channel: 'ops', text: 'help' });
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(r.responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `update ${i}`, replace_original: true }) });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    // replace_original on a command's response_url replaces its earlier (ephemeral) answer.
    expect(r.shown).toMatchObject({ text: 'update 4' });
  });
});
