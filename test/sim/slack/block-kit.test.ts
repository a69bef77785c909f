import { LogLevel, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type RunningSlackEmulator } from '../../../sim/slack';
import { checkBlocks } from '../../../sim/slack/block-kit-limits';

const botToken = 'xoxb-blocks';
let slack: RunningSlackEmulator;
let client: WebClient;

beforeAll(async () => {
  slack = await startSlackEmulator({ signingSecret: 'shh', botToken, channels: [{ name: 'ops' }] });
  client = new WebClient(botToken, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
});
afterAll(() => slack.close());

const section = (text: string, block_id?: string) => ({ type: 'section', ...(block_id ? { block_id } : {}), text: { type: 'mrkdwn', text } });
const button = (text: string, action_id: string, value = 'v') => ({ type: 'button' as const, text: { type: 'plain_text' as const, text }, action_id, value });

async function refused(blocks: unknown[]): Promise<WebAPIPlatformError> {
  return client.chat.postMessage({ channel: 'ops', text: 'fallback', blocks: blocks as never }).then(
    () => {
      throw new Error('Slack would have refused these blocks');
    },
    (e: WebAPIPlatformError) => e,
  );
}

describe('Block Kit limits', () => {
  it('refuses 51 blocks with invalid_blocks and records the violation', async () => {
    const before = slack.emulator.violations.length;
    const e = await refused(Array.from({ length: 51 }, (_, i) => section(`row ${i}`)));
    expect(e.data.error).toBe('invalid_blocks');
    expect(e.data.response_metadata?.messages).toEqual(['[ERROR] no more than 50 items allowed [json-pointer:/blocks]']);
    expect(slack.emulator.violations.slice(before)).toMatchObject([{ method: 'chat.postMessage', pointer: '/blocks', message: 'no more than 50 items allowed' }]);
    expect(slack.emulator.messages('ops')).toHaveLength(0);
  });

  it('refuses a button label over 75 characters', async () => {
    const e = await refused([{ type: 'actions', elements: [button('A'.repeat(76), 'approve')] }]);
    expect(e.data.response_metadata?.messages).toEqual(['[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]']);
  });

  it('refuses duplicate action_ids within a block but allows them across blocks', async () => {
    const e = await refused([{ type: 'actions', elements: [button('Yes', 'go'), button('No', 'go')] }]);
    expect(e.data.response_metadata?.messages?.[0]).toContain('duplicate action_id: go [json-pointer:/blocks/0/elements/1/action_id]');
    const ok = await client.chat.postMessage({
      channel: 'ops',
      text: 'two approvals',
      blocks: [
        { type: 'actions', block_id: 'job-1', elements: [button('Approve', 'approve', 'job-1')] },
        { type: 'actions', block_id: 'job-2', elements: [button('Approve', 'approve', 'job-2')] },
      ],
    });
    expect(ok.ok).toBe(true);
  });

  it('checks edits too', async () => {
    const m = await client.chat.postMessage({ channel: 'ops', text: 'card' });
    const e = await client.chat.update({ channel: 'ops', ts: m.ts!, text: 'card', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'H'.repeat(151) } }] }).catch((x: WebAPIPlatformError) => x);
    expect((e as WebAPIPlatformError).data.error).toBe('invalid_blocks');
    expect(slack.emulator.violations.at(-1)).toMatchObject({ method: 'chat.update', ts: m.ts, pointer: '/blocks/0/text/text' });
  });

  it('knows the other limits', () => {
    const problems = checkBlocks([
      section('x'.repeat(3001), 'same'),
      { type: 'section', block_id: 'same', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
      { type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] },
      { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`, `a${i}`)) },
      { type: 'actions', elements: [{ ...button('ok', 'a'.repeat(256)), value: 'v'.repeat(2001) }] },
      { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) },
      { type: 'header', text: { type: 'mrkdwn', text: 'not plain' } },
      { type: 'bogus' },
    ]).map((p) => `${p.pointer} ${p.message}`);
    expect(problems).toEqual([
      '/blocks/0/text/text must be less than 3001 characters',
      '/blocks/1/block_id duplicate block_id: same',
      '/blocks/1/fields no more than 10 items allowed',
      '/blocks/2/fields/0/text must be less than 2001 characters',
      '/blocks/3/elements no more than 25 items allowed',
      '/blocks/4/elements/0/action_id must be less than 256 characters',
      '/blocks/4/elements/0/value must be less than 2001 characters',
      '/blocks/5/elements no more than 10 items allowed',
      '/blocks/6/text/type must be plain_text',
      '/blocks/7 failed to match all allowed schemas',
    ]);
  });
});
