// The upload flow in the Slack emulator, driven by the official WebClient: shapes, errors, and the file on the message.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, uploadsOf, type RunningSlackEmulator } from '../../sim/slack';
import { uploadFile } from '../../src/slack/upload-file';

describe('files.getUploadURLExternal → POST → files.completeUploadExternal', () => {
  let s: RunningSlackEmulator;
  let client: WebClient;
  beforeAll(async () => {
    s = await startSlackEmulator({ signingSecret: 'sig', botToken: 'xoxb-t', users: [{ id: 'U1', name: 'alice' }], channels: [{ id: 'C1', name: 'ops' }] });
    client = new WebClient('xoxb-t', { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => s?.close());

  it('shares the uploaded bytes in the thread as a message with a files array', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'job card' });
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n-not-really-a-png');
    const f = await uploadFile(client, { channel: 'C1', threadTs: parent.ts!, filename: 'chart.png', title: 'Chart', bytes, initialComment: 'the chart' });
    const reply = s.emulator.thread('C1', parent.ts!).find((m) => m.files?.length)!;
    expect(reply).toMatchObject({ text: 'the chart', upload: true, thread_ts: parent.ts, files: [{ id: f.id, title: 'Chart', name: 'chart.png', mimetype: 'image/png', size: bytes.length }] });
    expect(uploadsOf(s.emulator.workspace).bytes(f.id)!.equals(bytes)).toBe(true);
  });

  it('answers Slack errors: missing length, length 0, unknown file, bytes that differ from length', async () => {
    await expect(client.apiCall('files.getUploadURLExternal', { filename: 'a.png' })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(client.apiCall('files.getUploadURLExternal', { filename: 'a.png', length: 0 })).rejects.toMatchObject({ data: { error: 'missing_argument' } });
    await expect(client.files.completeUploadExternal({ files: [{ id: 'F0NOPE' }], channel_id: 'C1' })).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    await expect(client.apiCall('files.completeUploadExternal', { files: 'not json' })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    const got = await client.files.getUploadURLExternal({ filename: 'b.png', length: 10 });
    const res = await fetch(got.upload_url!, { method: 'POST', body: new Uint8Array(3) });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/received 3 bytes but .* declared length 10/);
    // Never uploaded, so it cannot be completed.
    await expect(client.files.completeUploadExternal({ files: [{ id: got.file_id! }], channel_id: 'C1' })).rejects.toMatchObject({ data: { error: 'file_not_found' } });
  });
});
