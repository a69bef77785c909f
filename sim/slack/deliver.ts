import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkBlocks } from './block-kit-limits';
import type { ResponseUrls } from './response-url';
import type { SocketModeHub } from './socket-mode';
import { signedHeaders, type SignatureMode } from './signing';
import type { Block, EphemeralMessage, StoredMessage, Violation } from './types';
import { toApiMessage, type Workspace } from './workspace';

export interface DeliveryContext {
  workspace: Workspace;
  responseUrls: ResponseUrls;
  signingSecret: string;
  requestUrl: () => string;
  /** Slack gives up on an app that has not answered in 3 seconds. */
  ackTimeoutMs: number;
  violations: Violation[];
  /** Where a Socket Mode app is connected, deliveries go through its socket instead of the request URL. */
  socket?: SocketModeHub;
}

/** The deprecated verification token Slack still puts in every payload. */
const VERIFICATION_TOKEN = 'emulator-verification-token';

export interface SlashCommandInput {
  /** User id or name. */
  user: string;
  /** Channel id or name. */
  channel: string;
  text: string;
  command?: string;
  signature?: SignatureMode;
}

export interface ClickInput {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  /** Picks among buttons sharing an action_id; it must match what the message holds. */
  value?: string;
  blockId?: string;
  signature?: SignatureMode;
}

export interface DeliveryResult {
  /** HTTP status the bot answered; 0 when it did not answer in time or could not be reached. */
  status: number;
  elapsedMs: number;
  timedOut: boolean;
  /** Why the bot could not be reached (connection refused and the like). */
  error?: string;
  /** The bot's answer body: parsed JSON, a string, or undefined when empty. */
  body: unknown;
  /** The response_url handed to the bot with this delivery. */
  responseUrl: string;
  /** What the user saw as a result of the immediate answer, if anything. */
  shown?: StoredMessage | EphemeralMessage;
}

/** Sends a slash command the way Slack does: form-encoded, signed, 3 seconds to answer. */
export async function deliverSlashCommand(ctx: DeliveryContext, input: SlashCommandInput): Promise<DeliveryResult> {
  const ws = ctx.workspace;
  const user = ws.requireUser(input.user);
  const channel = ws.channel(input.channel);
  const command = input.command ?? '/elk';
  const responseUrl = ctx.responseUrls.issue(channel.id, user.id);
  const form = new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: ws.teamId,
    team_domain: ws.teamDomain,
    channel_id: channel.id,
    channel_name: channel.name,
    user_id: user.id,
    user_name: user.name,
    command,
    text: input.text,
    api_app_id: ws.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId(ws),
  });
  const result = await send(ctx, 'slash_commands', Object.fromEntries(form), form.toString(), input.signature);
  const fail = (error: string) =>
    ws.addEphemeral({ channel: channel.id, user: user.id, text: `${command} failed with the error "${error}"`, source: 'slack' });
  if (result.timedOut) return { ...result, responseUrl, shown: fail('operation_timeout') };
  if (result.status !== 200) return { ...result, responseUrl, shown: fail('dispatch_failed') };
  const reply = ackMessage(result.body);
  if (!reply) return { ...result, responseUrl };
  const problems = reply.blocks ? checkBlocks(reply.blocks) : [];
  if (problems.length) {
    const at = Date.now();
    for (const p of problems) ctx.violations.push({ method: 'ack', channel: channel.id, pointer: p.pointer, message: p.message, at });
    return { ...result, responseUrl, shown: fail('invalid_blocks') };
  }
  const shown =
    reply.response_type === 'in_channel'
      ? ws.post(channel.id, ws.bot, { text: reply.text, blocks: reply.blocks })
      : ws.addEphemeral({ channel: channel.id, user: user.id, text: reply.text, blocks: reply.blocks, source: 'ack' });
  ctx.responseUrls.setOriginal(responseUrl, shown);
  return { ...result, responseUrl, shown };
}

/** Sends the `block_actions` payload for a button the bot really rendered; throws if there is no such button. */
export async function deliverButtonClick(ctx: DeliveryContext, input: ClickInput): Promise<DeliveryResult> {
  const ws = ctx.workspace;
  const user = ws.requireUser(input.user);
  const channel = ws.channel(input.channel);
  const message = ws.findMessage(channel.id, input.messageTs) ?? ephemeralFor(ws, channel.id, user.id, input.messageTs);
  if (!message) throw new Error(`no message ${input.messageTs} in #${channel.name} that ${user.name} can see`);
  const button = listButtons(message.blocks).find(
    (b) => b.actionId === input.actionId && (input.blockId === undefined || b.blockId === input.blockId) && (input.value === undefined || b.value === input.value),
  );
  if (!button) {
    const have = listButtons(message.blocks).map((b) => `${b.actionId}${b.value !== undefined ? `=${b.value}` : ''} "${b.text}"`);
    throw new Error(`message ${message.ts} has no button ${input.actionId}${input.value !== undefined ? `=${input.value}` : ''}; it has: ${have.join(', ') || 'none'}`);
  }
  const isEphemeral = 'ephemeral' in message;
  const responseUrl = ctx.responseUrls.issue(channel.id, user.id, message);
  const payload = {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: ws.teamId },
    api_app_id: ws.appId,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: message.ts, channel_id: channel.id, is_ephemeral: isEphemeral },
    trigger_id: triggerId(ws),
    team: { id: ws.teamId, domain: ws.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel.id, name: channel.name },
    // Slack keeps no copy of an ephemeral message, so a click on one carries none.
    ...(isEphemeral ? {} : { message: toApiMessage(message) }),
    state: { values: {} },
    response_url: responseUrl,
    actions: [
      {
        action_id: button.actionId,
        block_id: button.blockId,
        text: button.element.text,
        ...(button.value !== undefined ? { value: button.value } : {}),
        ...(button.element.style ? { style: button.element.style } : {}),
        type: 'button',
        action_ts: actionTs(),
      },
    ],
  };
  const result = await send(ctx, 'interactive', payload, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), input.signature);
  return { ...result, responseUrl };
}

export interface RenderedButton {
  actionId: string;
  blockId: string;
  value?: string;
  text: string;
  style?: string;
  url?: string;
  confirm?: Block;
  element: Block;
}

/** Buttons in an `actions` block or as a section's accessory, in display order. */
export function listButtons(blocks: Block[] | undefined): RenderedButton[] {
  const found: RenderedButton[] = [];
  for (const block of blocks ?? []) {
    const elements: Block[] = block.type === 'actions' ? (block.elements ?? []) : block.type === 'section' && block.accessory ? [block.accessory] : [];
    for (const el of elements) {
      if (el?.type !== 'button') continue;
      found.push({
        actionId: el.action_id,
        blockId: block.block_id,
        value: el.value,
        text: el.text?.text ?? '',
        style: el.style,
        url: el.url,
        confirm: el.confirm,
        element: el,
      });
    }
  }
  return found;
}

function ephemeralFor(ws: Workspace, channel: string, user: string, ts: string): EphemeralMessage | undefined {
  const e = ws.findEphemeral(ts);
  return e && e.channel === channel && e.user === user ? e : undefined;
}

/** An ack body as Slack reads it: JSON with text/blocks, or plain text, either shown to the user. */
function ackMessage(body: unknown): { text: string; blocks?: Block[]; response_type?: string } | undefined {
  if (typeof body === 'string') return body ? { text: body } : undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, any>;
  const blocks = Array.isArray(b.blocks) ? b.blocks : undefined;
  const text = typeof b.text === 'string' ? b.text : '';
  if (!text && !blocks?.length) return undefined;
  return { text, blocks, response_type: b.response_type };
}

/** Over the app's socket when one is connected (no signature: the socket is the authentication), else HTTP. */
async function send(ctx: DeliveryContext, type: 'slash_commands' | 'interactive', payload: Record<string, unknown>, rawBody: string, signature?: SignatureMode): Promise<Omit<DeliveryResult, 'responseUrl'>> {
  if (!ctx.socket?.connected) return post(ctx, rawBody, signature);
  const ack = await ctx.socket.deliver(type, payload, ctx.ackTimeoutMs);
  return { status: ack.acked ? 200 : 0, timedOut: !ack.acked, body: ack.body, elapsedMs: ack.elapsedMs };
}

/**
 * One request per connection, no keep-alive: an idle socket left in the bot's server would stall its shutdown,
 * and Slack's deliveries don't share connections with the tests anyway.
 */
function post(ctx: DeliveryContext, rawBody: string, signature: SignatureMode = 'valid'): Promise<Omit<DeliveryResult, 'responseUrl'>> {
  const started = performance.now();
  const target = new URL(ctx.requestUrl());
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const done = (r: Omit<DeliveryResult, 'responseUrl' | 'elapsedMs'>) => {
      clearTimeout(timer);
      resolve({ ...r, elapsedMs: performance.now() - started });
    };
    const req = send(
      target,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(rawBody),
          connection: 'close',
          ...signedHeaders(ctx.signingSecret, rawBody, signature),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, timedOut: false, body: parseBody(Buffer.concat(chunks).toString('utf8'), res.headers['content-type']) }));
        res.on('error', (e) => done({ status: 0, timedOut: false, body: undefined, error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, timedOut: true, body: undefined });
    }, ctx.ackTimeoutMs);
    // Slack cannot reach the app either: the user sees dispatch_failed, the test sees why.
    req.on('error', (e) => done({ status: 0, timedOut: false, body: undefined, error: e.message }));
    req.end(rawBody);
  });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function triggerId(ws: Workspace): string {
  return `${Date.now()}.${ws.teamId}.${randomBytes(16).toString('hex')}`;
}

function actionTs(): string {
  return (Date.now() / 1000).toFixed(6);
}
