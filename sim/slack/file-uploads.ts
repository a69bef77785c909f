/**
 * Slack's current file upload flow (files.upload is retired): `files.getUploadURLExternal` (filename, length)
 * answers `upload_url` + `file_id`; the client POSTs the bytes there (raw or multipart; Slack answers 200
 * "OK - <length>"); `files.completeUploadExternal` (files: [{id, title}], channel_id, thread_ts,
 * initial_comment) shares them, which posts a message carrying a `files` array, as conversations.history shows.
 *
 * Errors as Slack names them: a missing filename or length is `invalid_arguments`, a length of 0 is
 * `missing_argument`, an unknown or not-yet-uploaded id at completion is `file_not_found`, a `files` that is
 * not a JSON array of {id} is `invalid_arguments`. Where the docs say nothing (bytes that differ from the
 * declared length), the emulator refuses the POST with HTTP 400, so a client that lies about length is caught.
 * Uploads are kept per workspace, so the Web API handlers and the HTTP upload route share them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackFile } from './types';
import type { Workspace } from './workspace';

interface PendingUpload {
  id: string;
  filename: string;
  length: number;
  altTxt?: string;
  bytes?: Buffer;
  completed?: boolean;
}

export class FileUploads {
  private readonly byId = new Map<string, PendingUpload>();
  private counter = 0;

  create(filename: string, length: number, altTxt?: string): PendingUpload {
    const id = `F0UP${String(++this.counter).padStart(7, '0')}`;
    const u: PendingUpload = { id, filename, length, altTxt };
    this.byId.set(id, u);
    return u;
  }

  get(id: string): PendingUpload | undefined {
    return this.byId.get(id);
  }

  /** The bytes of an uploaded file, for tests that check what the bot sent. */
  bytes(id: string): Buffer | undefined {
    return this.byId.get(id)?.bytes;
  }
}

const perWorkspace = new WeakMap<Workspace, FileUploads>();

export function uploadsOf(ws: Workspace): FileUploads {
  let u = perWorkspace.get(ws);
  if (!u) perWorkspace.set(ws, (u = new FileUploads()));
  return u;
}

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', txt: 'text/plain', csv: 'text/csv', json: 'application/json' };

export function fileObject(u: PendingUpload, title: string | undefined, baseUrl: string, user: string): SlackFile {
  const ext = u.filename.includes('.') ? u.filename.split('.').pop()!.toLowerCase() : 'binary';
  return {
    id: u.id,
    created: Math.floor(Date.now() / 1000),
    timestamp: Math.floor(Date.now() / 1000),
    name: u.filename,
    title: title ?? u.filename,
    mimetype: MIME[ext] ?? 'application/octet-stream',
    filetype: MIME[ext] ? ext : 'binary',
    user,
    size: u.bytes?.length ?? u.length,
    mode: 'hosted',
    is_external: false,
    is_public: true,
    ...(u.altTxt ? { alt_txt: u.altTxt } : {}),
    url_private: `${baseUrl}/files-pri/${u.id}/${encodeURIComponent(u.filename)}`,
    permalink: `${baseUrl}/files/${user}/${u.id}/${encodeURIComponent(u.filename)}`,
  };
}

/** The body of a POST to an upload URL: raw bytes, or the `file`/`filename` part of a multipart form. */
function fileBytes(body: Buffer, contentType: string | undefined): Buffer {
  const boundary = contentType?.match(/multipart\/form-data;.*boundary="?([^";]+)"?/i)?.[1];
  if (!boundary) return body;
  const sep = Buffer.from(`--${boundary}`);
  let at = body.indexOf(sep);
  while (at !== -1) {
    const next = body.indexOf(sep, at + sep.length);
    if (next === -1) break;
    const part = body.subarray(at + sep.length + 2, next - 2);
    const headEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headEnd).toString('utf8');
    if (/name="(file|filename)"/.test(head)) return part.subarray(headEnd + 4);
    at = next;
  }
  return body;
}

/** The upload URL's HTTP face: `POST /upload/v1/<file_id>`. */
export async function handleUploadPost(ws: Workspace, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const u = uploadsOf(ws).get(id);
  const text = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  if (req.method !== 'POST') return void text(405, 'use POST');
  if (!u || u.completed) return void text(404, 'upload URL not found or already used: call files.getUploadURLExternal again');
  const bytes = fileBytes(Buffer.concat(chunks), req.headers['content-type']);
  if (bytes.length !== u.length) {
    return void text(400, `received ${bytes.length} bytes but files.getUploadURLExternal declared length ${u.length}`);
  }
  u.bytes = bytes;
  text(200, `OK - ${bytes.length}`);
}
