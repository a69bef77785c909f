import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleConsole } from './console-api';
import { handleUploadPost } from './file-uploads';
import type { SlackEmulator } from './emulator';

/**
 * The emulator's HTTP face: the Web API under /api/, response URLs under /respond/, and the sandbox console
 * everywhere else.
 */
export async function listen(emulator: SlackEmulator, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const closing = new AbortController();
  const server = createServer((req, res) => {
    route(emulator, req, res, closing.signal).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`slack emulator error: ${e.stack ?? e.message}`);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!emulator.socketMode.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  emulator.setBaseUrl(url);
  const close = () =>
    new Promise<void>((resolve, reject) => {
      closing.abort();
      emulator.socketMode.close();
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    });
  return { server, url, close };
}

async function route(emulator: SlackEmulator, req: IncomingMessage, res: ServerResponse, closing: AbortSignal): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const upload = url.pathname.match(/^\/upload\/v1\/(\w+)$/);
  if (upload) return handleUploadPost(emulator.workspace, upload[1], req, res);
  const api = url.pathname.match(/^\/api\/([\w.]+)$/);
  if (api) {
    const args = { ...Object.fromEntries(url.searchParams), ...parseBody(await readBody(req), req.headers['content-type']) };
    const bearer = req.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const answer = emulator.callApi(api[1], args, token);
    res.writeHead(answer.status, answer.headers);
    res.end(JSON.stringify(answer.body));
    return;
  }
  const respond = url.pathname.match(/^\/respond\/(\w+)$/);
  if (respond && req.method === 'POST') {
    const body = parseBody(await readBody(req), req.headers['content-type']);
    // Some clients send the message as a form field named `payload`, as incoming webhooks accept.
    const payload = typeof body.payload === 'string' ? JSON.parse(body.payload) : body;
    const answer = emulator.respond(respond[1], payload);
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer.body));
    return;
  }
  await handleConsole(emulator, req, res, url, closing, () => readBody(req).then((b) => parseBody(b, req.headers['content-type'])));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    const parsed = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? parsed : {};
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
