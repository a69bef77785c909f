import type { IncomingMessage, ServerResponse } from 'node:http';
import { consoleExtension } from './console-actions';
import { FAVICON_SVG } from './console-favicon';
import { CONSOLE_PAGE } from './console-page';
import type { SlackEmulator } from './emulator';
import { toApiMessage } from './workspace';

/** Long polls are answered at the latest after this, so proxies and browsers never see a hung request. */
const LONG_POLL_MS = 25_000;

/** The JSON endpoints behind the console page; a person in the sandbox acts through them as a Slack user. */
export async function handleConsole(
  emulator: SlackEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  closing: AbortSignal,
  readJson: () => Promise<Record<string, any>>,
): Promise<void> {
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const ws = emulator.workspace;
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(CONSOLE_PAGE);
    return;
  }
  if (req.method === 'GET' && (url.pathname === '/favicon.ico' || url.pathname === '/favicon.svg')) {
    res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' });
    res.end(FAVICON_SVG);
    return;
  }
  // The host's panel (the sandbox's workers and fault knobs); 404 tells the page to show none.
  if (url.pathname === '/console/panel' || url.pathname === '/console/action') {
    const extension = consoleExtension(emulator);
    if (!extension) return json(404, { error: 'this console has no control panel: it is shown by `npm run sandbox`' });
    if (req.method === 'GET' && url.pathname === '/console/panel') return json(200, extension.panel());
    if (req.method === 'POST' && url.pathname === '/console/action') {
      const b = await readJson();
      const action = extension.panel().actions.find((a) => a.id === b.action);
      if (!action) return json(400, { error: `unknown action ${JSON.stringify(b.action)}; known: ${extension.panel().actions.map((a) => a.id).join(', ')}` });
      try {
        return json(200, { ok: true, message: await extension.run(action.id), panel: extension.panel() });
      } catch (e) {
        return json(500, { error: `${action.label} failed: ${(e as Error).message}`, panel: extension.panel() });
      }
    }
  }
  // Permalinks point here, so a link the bot posts opens the console on that channel.
  const archive = url.pathname.match(/^\/archives\/(\w+)\/p(\d+)$/);
  if (req.method === 'GET' && archive) {
    const ts = `${archive[2].slice(0, -6)}.${archive[2].slice(-6)}`;
    res.writeHead(302, { location: `/#channel=${archive[1]}&ts=${url.searchParams.get('thread_ts') ?? ts}` });
    res.end();
    return;
  }
  if (req.method === 'GET' && url.pathname === '/console/state') {
    const since = Number(url.searchParams.get('since') ?? -1);
    if (ws.version <= since) await changeOrTimeout(emulator, closing);
    const channel = ws.findChannel(url.searchParams.get('channel') ?? '') ?? ws.listChannels()[0];
    const user = ws.findUser(url.searchParams.get('user') ?? '');
    const top = emulator.messages(channel.id);
    json(200, {
      version: ws.version,
      botUserId: ws.bot.id,
      requestUrl: emulator.currentRequestUrl ?? null,
      channels: ws.listChannels().map((c) => ({ id: c.id, name: c.name })),
      users: ws.listUsers().map((u) => ({ id: u.id, name: u.name, real_name: u.real_name, is_bot: u.is_bot })),
      channel: channel.id,
      messages: top.map((m) => ({ ...toApiMessage(m), replies: m.reply_count ? ws.threadReplies(channel.id, m.ts).map(toApiMessage) : [] })),
      ephemerals: user ? emulator.ephemerals(user.id).filter((e) => e.channel === channel.id) : [],
    });
    return;
  }
  if (req.method === 'POST' && url.pathname === '/console/command') {
    const b = await readJson();
    try {
      const r = await emulator.slashCommand({ user: b.user, channel: b.channel, command: b.command, text: b.text ?? '' });
      json(200, { status: r.status, elapsedMs: Math.round(r.elapsedMs), timedOut: r.timedOut, error: r.error });
    } catch (e) {
      json(400, { error: (e as Error).message });
    }
    return;
  }
  if (req.method === 'POST' && url.pathname === '/console/click') {
    const b = await readJson();
    try {
      const r = await emulator.clickButton({ user: b.user, channel: b.channel, messageTs: b.messageTs, actionId: b.actionId, blockId: b.blockId, value: b.value });
      json(200, { status: r.status, elapsedMs: Math.round(r.elapsedMs), timedOut: r.timedOut, error: r.error });
    } catch (e) {
      json(400, { error: (e as Error).message });
    }
    return;
  }
  if (req.method === 'POST' && url.pathname === '/console/say') {
    const b = await readJson();
    emulator.postAsUser(b.user, b.channel, String(b.text ?? ''), b.threadTs || undefined);
    json(200, { ok: true });
    return;
  }
  json(404, { error: `no route ${req.method} ${url.pathname}` });
}

function changeOrTimeout(emulator: SlackEmulator, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      emulator.workspace.events.off('change', done);
      closing.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, LONG_POLL_MS);
    emulator.workspace.events.on('change', done);
    closing.addEventListener('abort', done);
  });
}
