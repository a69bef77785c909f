import { EventEmitter } from 'node:events';
import type { Block, EphemeralMessage, SlackChannel, SlackFile, SlackMessage, SlackUser, StoredMessage, WorkspaceEvent } from './types';

export interface WorkspaceSeed {
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botName?: string;
  users?: Array<{ id?: string; name: string; real_name?: string }>;
  channels?: Array<{ id?: string; name: string; members?: string[]; is_private?: boolean }>;
}

/**
 * Everything Slack remembers for one workspace: users, channels, messages, threads and ephemerals. All changes
 * go through here so every one of them is announced on `events` (tests wait on those instead of sleeping).
 */
export class Workspace {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botId = 'B0EMULATOR';
  readonly appId = 'A0EMULATOR';
  readonly bot: SlackUser;
  readonly events = new EventEmitter();
  private readonly users = new Map<string, SlackUser>();
  private readonly channels = new Map<string, SlackChannel>();
  private readonly messages = new Map<string, StoredMessage[]>();
  private readonly ephemeralList: EphemeralMessage[] = [];
  private lastTs = 0;
  private idCounter = 0;
  /** Bumped on every change; the console polls it to know when to redraw. */
  version = 0;

  constructor(seed: WorkspaceSeed = {}) {
    this.teamId = seed.teamId ?? 'T0EMULATOR';
    this.teamDomain = seed.teamDomain ?? 'elk-ops-sandbox';
    this.events.setMaxListeners(0);
    this.bot = { id: seed.botUserId ?? 'U0ELKOPSBOT', name: seed.botName ?? 'elk-ops', real_name: 'elk-ops', is_bot: true };
    this.users.set(this.bot.id, this.bot);
    const people = seed.users ?? [{ name: 'alice' }, { name: 'bob' }];
    for (const u of people) this.addUser(u);
    const everyone = [...this.users.keys()];
    const channels = seed.channels ?? [{ name: 'general' }];
    for (const c of channels) {
      const members = c.members ? c.members.map((m) => this.requireUser(m).id) : everyone;
      this.addChannel({ ...c, members });
    }
  }

  addUser(u: { id?: string; name: string; real_name?: string }): SlackUser {
    const user: SlackUser = { id: u.id ?? this.newId('U'), name: u.name, real_name: u.real_name ?? capitalise(u.name), is_bot: false };
    this.users.set(user.id, user);
    return user;
  }

  addChannel(c: { id?: string; name: string; members?: string[]; is_private?: boolean }): SlackChannel {
    const channel: SlackChannel = {
      id: c.id ?? this.newId(c.is_private ? 'G' : 'C'),
      name: c.name.replace(/^#/, ''),
      members: c.members ?? [...this.users.keys()],
      is_private: c.is_private ?? false,
      created: Math.floor(Date.now() / 1000),
      creator: [...this.users.values()].find((u) => !u.is_bot)?.id ?? this.bot.id,
      topic: '',
      purpose: '',
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    return channel;
  }

  /** By id or name, `#` optional. */
  findChannel(ref: string): SlackChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    return [...this.channels.values()].find((c) => c.name === name);
  }

  channel(ref: string): SlackChannel {
    const c = this.findChannel(ref);
    if (!c) throw new Error(`no channel ${ref} in the emulated workspace (have: ${this.listChannels().map((x) => x.name).join(', ')})`);
    return c;
  }

  listChannels(): SlackChannel[] {
    return [...this.channels.values()];
  }

  /** By id or name, `@` optional. */
  findUser(ref: string): SlackUser | undefined {
    const byId = this.users.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^@/, '');
    return [...this.users.values()].find((u) => u.name === name);
  }

  requireUser(ref: string): SlackUser {
    const u = this.findUser(ref);
    if (!u) throw new Error(`no user ${ref} in the emulated workspace (have: ${this.listUsers().map((x) => x.name).join(', ')})`);
    return u;
  }

  listUsers(): SlackUser[] {
    return [...this.users.values()];
  }

  /** Every message of a channel, top-level and replies, oldest first. */
  allMessages(channelId: string): StoredMessage[] {
    return this.messages.get(channelId) ?? [];
  }

  findMessage(channelId: string, ts: string): StoredMessage | undefined {
    return this.allMessages(channelId).find((m) => m.ts === ts);
  }

  ephemerals(): EphemeralMessage[] {
    return this.ephemeralList;
  }

  findEphemeral(ts: string): EphemeralMessage | undefined {
    return this.ephemeralList.find((e) => e.ts === ts);
  }

  /**
   * Slack timestamps are unique per channel and strictly increasing; the emulator keeps them unique across the
   * workspace, so a ts alone identifies a message in tests.
   */
  nextTs(): string {
    const nowMicros = Date.now() * 1000;
    this.lastTs = Math.max(this.lastTs + 1, nowMicros);
    const s = String(this.lastTs);
    return `${s.slice(0, -6)}.${s.slice(-6)}`;
  }

  post(channelId: string, from: SlackUser, content: { text: string; blocks?: Block[]; thread_ts?: string; reply_broadcast?: boolean; files?: SlackFile[] }): StoredMessage {
    const message: StoredMessage = {
      type: 'message',
      ts: this.nextTs(),
      user: from.id,
      ...(from.is_bot ? { bot_id: this.botId, app_id: this.appId } : {}),
      team: this.teamId,
      text: content.text,
      ...(content.blocks ? { blocks: content.blocks } : {}),
      ...(content.files ? { files: content.files, upload: true } : {}),
      channel: channelId,
      revisions: [],
    };
    const parent = content.thread_ts ? this.threadParent(channelId, content.thread_ts) : undefined;
    if (parent) {
      message.thread_ts = parent.ts;
      message.parent_user_id = parent.user;
      if (content.reply_broadcast) message.subtype = 'thread_broadcast';
      parent.thread_ts = parent.ts;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      parent.reply_users = [...new Set([...(parent.reply_users ?? []), from.id])];
      parent.reply_users_count = parent.reply_users.length;
      parent.latest_reply = message.ts;
    }
    this.allMessages(channelId).push(message);
    this.emit({ kind: 'posted', message });
    return message;
  }

  /** A reply to a reply lands in the same thread, as in Slack. */
  threadParent(channelId: string, threadTs: string): StoredMessage | undefined {
    const target = this.findMessage(channelId, threadTs);
    if (!target) return undefined;
    if (target.thread_ts && target.thread_ts !== target.ts) return this.findMessage(channelId, target.thread_ts);
    return target;
  }

  /** Fields left undefined keep their old value, as chat.update does; `blocks: []` removes blocks. */
  edit(message: StoredMessage, by: SlackUser, change: { text?: string; blocks?: Block[] }, markEdited = true): StoredMessage {
    message.revisions.push({ text: message.text, blocks: message.blocks, replacedAt: new Date().toISOString() });
    if (change.text !== undefined) message.text = change.text;
    if (change.blocks !== undefined) {
      if (change.blocks.length) message.blocks = change.blocks;
      else delete message.blocks;
    }
    if (markEdited) message.edited = { user: by.id, ts: this.nextTs() };
    this.emit({ kind: 'edited', message });
    return message;
  }

  delete(message: StoredMessage): void {
    const list = this.allMessages(message.channel);
    list.splice(list.indexOf(message), 1);
    if (message.thread_ts && message.thread_ts !== message.ts) {
      const parent = this.findMessage(message.channel, message.thread_ts);
      if (parent) {
        const replies = this.threadReplies(message.channel, parent.ts);
        parent.reply_count = replies.length;
        parent.latest_reply = replies.at(-1)?.ts;
        if (!replies.length) delete parent.latest_reply;
      }
    }
    this.emit({ kind: 'deleted', message });
  }

  threadReplies(channelId: string, parentTs: string): StoredMessage[] {
    return this.allMessages(channelId).filter((m) => m.thread_ts === parentTs && m.ts !== parentTs);
  }

  addEphemeral(e: Omit<EphemeralMessage, 'ts' | 'ephemeral'>): EphemeralMessage {
    const message: EphemeralMessage = { ephemeral: true, ts: this.nextTs(), ...e };
    this.ephemeralList.push(message);
    this.emit({ kind: 'ephemeral', message });
    return message;
  }

  replaceEphemeral(message: EphemeralMessage, change: { text: string; blocks?: Block[] }): void {
    message.text = change.text;
    if (change.blocks) message.blocks = change.blocks;
    else delete message.blocks;
    this.emit({ kind: 'ephemeral-replaced', message });
  }

  deleteEphemeral(message: EphemeralMessage): void {
    this.ephemeralList.splice(this.ephemeralList.indexOf(message), 1);
    this.emit({ kind: 'ephemeral-deleted', message });
  }

  private emit(event: WorkspaceEvent): void {
    this.version++;
    this.events.emit('change', event);
  }

  private newId(prefix: string): string {
    return `${prefix}0${String(++this.idCounter).padStart(8, '0')}`;
  }
}

/** A stored message as Slack's API hands it out, without the emulator's bookkeeping. */
export function toApiMessage(m: StoredMessage): SlackMessage {
  const { channel: _channel, revisions: _revisions, ...message } = m;
  return message;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
