/**
 * Uploads a file into a thread with Slack's current flow: files.getUploadURLExternal (filename, length) →
 * POST the bytes to the returned upload_url → files.completeUploadExternal (files, channel_id, thread_ts,
 * initial_comment). files.upload is retired; the SDK's filesUploadV2 does the same three calls but hides the
 * middle one, and we want its failure to name the step that failed.
 * The bot token travels only in the Web API calls' Authorization header; the upload URL is pre-signed.
 */
import type { WebClient } from '@slack/web-api';

export interface UploadInput {
  channel: string;
  threadTs?: string;
  filename: string;
  title: string;
  bytes: Buffer;
  /** Message text shown with the file. */
  initialComment?: string;
  /** Screen-reader description of an image. */
  altText?: string;
}

export interface UploadedFile {
  id: string;
  title: string;
}

/** Sends the bytes in the request body as Slack documents (raw bytes are accepted). */
export async function uploadFile(client: WebClient, input: UploadInput, fetchImpl: typeof fetch = fetch): Promise<UploadedFile> {
  if (!input.bytes.length) throw new Error(`cannot upload ${input.filename}: it is empty (Slack refuses length 0)`);
  const got = await client.files.getUploadURLExternal({ filename: input.filename, length: input.bytes.length, ...(input.altText ? { alt_txt: input.altText } : {}) });
  if (!got.upload_url || !got.file_id) throw new Error(`files.getUploadURLExternal gave no upload_url/file_id for ${input.filename}`);
  const res = await fetchImpl(got.upload_url, { method: 'POST', body: new Uint8Array(input.bytes), headers: { 'content-type': 'application/octet-stream' } });
  if (!res.ok) {
    const why = (await res.text().catch(() => '')).slice(0, 200);
    throw new Error(`uploading ${input.filename} to Slack's upload URL failed: HTTP ${res.status} ${why}; the file was not shared (retry the job step)`);
  }
  const done = await client.files.completeUploadExternal({
    files: [{ id: got.file_id, title: input.title }],
    channel_id: input.channel,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    ...(input.initialComment ? { initial_comment: input.initialComment } : {}),
  } as Parameters<WebClient['files']['completeUploadExternal']>[0]);
  const f = done.files?.[0];
  return { id: f?.id ?? got.file_id, title: f?.title ?? input.title };
}
