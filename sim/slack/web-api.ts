import { checkBlocks, MAX_TEXT_CHARS, slackWording } from './block-kit-limits';
import type { RateLimiter } from './rate-limits';
import type { Block, CallRecord, SlackChannel, StoredMessage, Violation } from './types';
import { toApiMessage, type Workspace } from './workspace';
import { fileObject, uploadsOf } from './file-uploads';

export interface WebApiContext {
  workspace: Workspace;
  limiter: RateLimiter;
  botToken: string;
  /** The app-level token that may call apps.connections.open (Socket Mode); undefined: Socket Mode is off. */
  appToken?: string;
  openSocketUrl: () => string;
  /** Base URL of the emulator; permalinks point into its console. */
  baseUrl: () => string;
  calls: CallRecord[];
  violations: Violation[];
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

type Args = Record<string, unknown>;
type Result = Record<string, unknown>;

/** Thrown inside a handler to answer `ok:false` with Slack's error code (and any extra fields Slack adds). */
class SlackApiError extends Error {
  constructor(readonly code: string, readonly extra: Result = {}) {
    super(code);
  }
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** Answers one Web API call the way slack.com/api does, and records it. */
export function callWebApi(ctx: WebApiContext, method: string, args: Args, token: string | undefined): ApiAnswer {
  const record: CallRecord = { method, args, at: Date.now(), status: 200, ok: true };
  ctx.calls.push(record);
  const answer = answerCall(ctx, method, args, token);
  record.status = answer.status;
  record.ok = answer.body.ok === true;
  if (!record.ok) record.error = String(answer.body.error);
  return answer;
}

function answerCall(ctx: WebApiContext, method: string, args: Args, token: string | undefined): ApiAnswer {
  const fail = (error: string, extra: Result = {}): ApiAnswer => ({ status: 200, headers: JSON_TYPE, body: { ok: false, error, ...extra } });
  if (!token) return fail('not_authed');
  // The one method of the app-level token; a bot token there is refused by type, an app token anywhere else too.
  if (method === 'apps.connections.open') {
    if (token === ctx.botToken) return fail('not_allowed_token_type');
    if (!ctx.appToken || token !== ctx.appToken) return fail('invalid_auth');
    return { status: 200, headers: JSON_TYPE, body: { ok: true, url: ctx.openSocketUrl() } };
  }
  if (ctx.appToken && token === ctx.appToken) return fail('not_allowed_token_type');
  if (token !== ctx.botToken) return fail('invalid_auth');
  const handler = HANDLERS[method];
  if (!handler) return fail('unknown_method', { req_method: method });
  // Keyed by channel id, so `#ops` and `C0…` share one allowance as they do in Slack.
  const channel = typeof args.channel === 'string' ? (ctx.workspace.findChannel(args.channel)?.id ?? args.channel) : undefined;
  const verdict = ctx.limiter.judge(method, channel);
  if (verdict.kind === 'ratelimited') {
    return { status: 429, headers: { ...JSON_TYPE, 'retry-after': String(verdict.retryAfterSec) }, body: { ok: false, error: 'ratelimited' } };
  }
  if (verdict.kind === 'error') return fail(verdict.error);
  try {
    return { status: 200, headers: JSON_TYPE, body: { ok: true, ...handler(ctx, args, method) } };
  } catch (e) {
    if (e instanceof SlackApiError) return fail(e.code, e.extra);
    throw e;
  }
}

type Handler = (ctx: WebApiContext, args: Args, method: string) => Result;

const HANDLERS: Record<string, Handler> = {
  'auth.test': ({ workspace: ws, baseUrl }) => ({
    url: `${baseUrl()}/`,
    team: ws.teamDomain,
    user: ws.bot.name,
    team_id: ws.teamId,
    user_id: ws.bot.id,
    bot_id: ws.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (ctx, args, method) => {
    const ws = ctx.workspace;
    const channel = memberChannel(ctx, args.channel);
    const text = optString(args.text);
    const blocks = blocksArg(ctx, method, channel.id, args.blocks);
    requireContent(text, blocks);
    const threadTs = optString(args.thread_ts);
    const message = ws.post(channel.id, ws.bot, {
      text: text ?? '',
      blocks,
      thread_ts: threadTs,
      reply_broadcast: bool(args.reply_broadcast),
    });
    return { channel: channel.id, ts: message.ts, message: toApiMessage(message) };
  },

  'chat.update': (ctx, args, method) => {
    const ws = ctx.workspace;
    const channel = memberChannel(ctx, args.channel);
    const message = ws.findMessage(channel.id, requireString(args.ts, 'ts'));
    if (!message) throw new SlackApiError('message_not_found');
    if (message.user !== ws.bot.id) throw new SlackApiError('cant_update_message');
    const text = optString(args.text);
    const blocks = blocksArg(ctx, method, channel.id, args.blocks, message.ts);
    requireContent(text, blocks);
    ws.edit(message, ws.bot, { text, blocks });
    return { channel: channel.id, ts: message.ts, text: message.text, message: toApiMessage(message) };
  },

  'chat.delete': (ctx, args) => {
    const channel = memberChannel(ctx, args.channel);
    const message = ctx.workspace.findMessage(channel.id, requireString(args.ts, 'ts'));
    if (!message) throw new SlackApiError('message_not_found');
    if (message.user !== ctx.workspace.bot.id) throw new SlackApiError('cant_delete_message');
    ctx.workspace.delete(message);
    return { channel: channel.id, ts: message.ts };
  },

  'chat.postEphemeral': (ctx, args, method) => {
    const channel = memberChannel(ctx, args.channel);
    const user = ctx.workspace.findUser(requireString(args.user, 'user'));
    if (!user) throw new SlackApiError('user_not_found');
    if (!channel.members.includes(user.id)) throw new SlackApiError('user_not_in_channel');
    const text = optString(args.text);
    const blocks = blocksArg(ctx, method, channel.id, args.blocks);
    requireContent(text, blocks);
    const message = ctx.workspace.addEphemeral({
      channel: channel.id,
      user: user.id,
      text: text ?? '',
      blocks,
      thread_ts: optString(args.thread_ts),
      source: 'chat.postEphemeral',
    });
    return { message_ts: message.ts };
  },

  'chat.getPermalink': (ctx, args) => {
    const channel = knownChannel(ctx, args.channel);
    const message = ctx.workspace.findMessage(channel.id, requireString(args.message_ts, 'message_ts'));
    if (!message) throw new SlackApiError('message_not_found');
    return { channel: channel.id, permalink: permalink(ctx.baseUrl(), message) };
  },

  'conversations.info': (ctx, args) => ({ channel: channelInfo(ctx, knownChannel(ctx, args.channel)) }),

  'conversations.history': (ctx, args) => {
    const channel = memberChannel(ctx, args.channel);
    const inclusive = bool(args.inclusive);
    const latest = optString(args.latest);
    const oldest = optString(args.oldest);
    const visible = ctx.workspace
      .allMessages(channel.id)
      .filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
      .filter((m) => inRange(m.ts, oldest, latest, inclusive))
      .reverse();
    return page(visible, args, 'messages');
  },

  'conversations.replies': (ctx, args) => {
    const channel = memberChannel(ctx, args.channel);
    const ts = requireString(args.ts, 'ts');
    const target = ctx.workspace.findMessage(channel.id, ts);
    if (!target) throw new SlackApiError('thread_not_found');
    // Asked about a reply, Slack answers with just that reply; asked about a parent, with the whole thread.
    if (target.thread_ts && target.thread_ts !== target.ts) return { messages: [toApiMessage(target)], has_more: false };
    const thread = [target, ...ctx.workspace.threadReplies(channel.id, target.ts)];
    const inclusive = args.inclusive === undefined ? true : bool(args.inclusive);
    return page(thread.filter((m) => inRange(m.ts, optString(args.oldest), optString(args.latest), inclusive)), args, 'messages');
  },

  // The upload flow; see file-uploads.ts for the shapes and errors.
  'files.getUploadURLExternal': (ctx, args) => {
    const filename = requireString(args.filename, 'filename');
    if (args.length === undefined || args.length === '') requireString(undefined, 'length');
    const length = Number(args.length);
    if (!Number.isInteger(length) || length < 0) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] length must be an integer'] } });
    if (length === 0) throw new SlackApiError('missing_argument');
    const u = uploadsOf(ctx.workspace).create(filename, length, optString(args.alt_txt));
    return { upload_url: `${ctx.baseUrl()}/upload/v1/${u.id}`, file_id: u.id };
  },

  'files.completeUploadExternal': (ctx, args) => {
    let files: unknown = args.files;
    if (typeof files === 'string') {
      try {
        files = JSON.parse(files);
      } catch {
        files = undefined;
      }
    }
    if (!Array.isArray(files) || !files.length || !files.every((f) => f && typeof f === 'object' && typeof (f as { id?: unknown }).id === 'string')) {
      throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] files must be a JSON array of {"id": …, "title": …}'] } });
    }
    const uploads = uploadsOf(ctx.workspace);
    const wanted = files as { id: string; title?: string }[];
    // Nothing is shared unless every file was uploaded: Slack answers file_not_found for an id it never received bytes for.
    for (const f of wanted) if (!uploads.get(f.id)?.bytes || uploads.get(f.id)!.completed) throw new SlackApiError('file_not_found');
    const channelId = optString(args.channel_id);
    const threadTs = optString(args.thread_ts);
    if (threadTs && !channelId) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] thread_ts needs channel_id'] } });
    const channel = channelId ? memberChannel(ctx, channelId) : undefined;
    const objects = wanted.map((f) => {
      const u = uploads.get(f.id)!;
      u.completed = true;
      return fileObject(u, f.title, ctx.baseUrl(), ctx.workspace.bot.id);
    });
    if (channel) {
      const comment = optString(args.initial_comment);
      if (comment !== undefined && comment.length > MAX_TEXT_CHARS) throw new SlackApiError('msg_too_long');
      ctx.workspace.post(channel.id, ctx.workspace.bot, { text: comment ?? '', thread_ts: threadTs, files: objects });
    }
    return { files: objects.map((o) => ({ id: o.id, title: o.title })) };
  },

  'users.info': (ctx, args) => {
    const user = ctx.workspace.findUser(requireString(args.user, 'user'));
    if (!user) throw new SlackApiError('user_not_found');
    return {
      user: {
        id: user.id,
        team_id: ctx.workspace.teamId,
        name: user.name,
        deleted: false,
        real_name: user.real_name,
        tz: 'Etc/UTC',
        tz_offset: 0,
        is_admin: false,
        is_owner: false,
        is_bot: user.is_bot,
        is_app_user: false,
        profile: { real_name: user.real_name, display_name: user.name, team: ctx.workspace.teamId },
      },
    };
  },
};

/** A channel the bot can post in: it must exist and the bot must be a member. */
function memberChannel(ctx: WebApiContext, ref: unknown): SlackChannel {
  const channel = knownChannel(ctx, ref);
  if (!channel.members.includes(ctx.workspace.bot.id)) throw new SlackApiError('not_in_channel');
  return channel;
}

function knownChannel(ctx: WebApiContext, ref: unknown): SlackChannel {
  const channel = typeof ref === 'string' && ref ? ctx.workspace.findChannel(ref) : undefined;
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel;
}

function channelInfo(ctx: WebApiContext, c: SlackChannel) {
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: !c.is_private,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: c.is_private,
    is_archived: false,
    is_general: c.name === 'general',
    is_member: c.members.includes(ctx.workspace.bot.id),
    created: c.created,
    creator: c.creator,
    topic: { value: c.topic, creator: '', last_set: 0 },
    purpose: { value: c.purpose, creator: '', last_set: 0 },
    num_members: c.members.length,
  };
}

/** Blocks arrive as a JSON string in form bodies and as an array in JSON bodies. */
function blocksArg(ctx: WebApiContext, method: string, channel: string, raw: unknown, ts?: string): Block[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  let blocks: unknown = raw;
  if (typeof raw === 'string') {
    try {
      blocks = JSON.parse(raw);
    } catch {
      throw new SlackApiError('invalid_blocks_format');
    }
  }
  if (!Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
  const problems = checkBlocks(blocks);
  if (problems.length) {
    const at = Date.now();
    for (const p of problems) ctx.violations.push({ method, channel, ts, pointer: p.pointer, message: p.message, at });
    throw new SlackApiError('invalid_blocks', {
      errors: problems.map((p) => `${p.message} [json-pointer:${p.pointer}]`),
      response_metadata: { messages: problems.map(slackWording) },
    });
  }
  return blocks;
}

function requireContent(text: string | undefined, blocks: Block[] | undefined) {
  if (text !== undefined && text.length > MAX_TEXT_CHARS) throw new SlackApiError('msg_too_long');
  if (!text && !blocks?.length) throw new SlackApiError('no_text');
}

function permalink(base: string, m: StoredMessage): string {
  const link = `${base}/archives/${m.channel}/p${m.ts.replace('.', '')}`;
  return m.thread_ts && m.thread_ts !== m.ts ? `${link}?thread_ts=${m.thread_ts}&cid=${m.channel}` : link;
}

function inRange(ts: string, oldest: string | undefined, latest: string | undefined, inclusive: boolean): boolean {
  const t = Number(ts);
  if (oldest !== undefined && (inclusive ? t < Number(oldest) : t <= Number(oldest))) return false;
  if (latest !== undefined && (inclusive ? t > Number(latest) : t >= Number(latest))) return false;
  return true;
}

/** Cursor pagination; the cursor is an opaque offset, as opaque as Slack's. */
function page(list: StoredMessage[], args: Args, key: string): Result {
  const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 1000);
  const start = typeof args.cursor === 'string' && args.cursor ? Number(Buffer.from(args.cursor, 'base64').toString()) || 0 : 0;
  const slice = list.slice(start, start + limit);
  const more = start + limit < list.length;
  return {
    [key]: slice.map(toApiMessage),
    has_more: more,
    response_metadata: { next_cursor: more ? Buffer.from(String(start + limit)).toString('base64') : '' },
  };
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function requireString(v: unknown, name: string): string {
  const s = optString(v);
  if (!s) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });
  return s;
}

function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}
