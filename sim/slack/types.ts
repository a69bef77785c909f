/**
 * Shapes shared by the Slack emulator's parts. Messages are kept in the same JSON form the Web API returns, so
 * `conversations.history` can hand them out as they are and tests assert on exactly what a bot would read back.
 */

/** A Block Kit block or element, as loosely as Slack accepts it: the emulator checks limits, not a full schema. */
export type Block = Record<string, any>;

/** A message as `conversations.history` / `conversations.replies` return it. */
export interface SlackMessage {
  type: 'message';
  subtype?: string;
  ts: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  text: string;
  blocks?: Block[];
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  edited?: { user: string; ts: string };
  /** Files shared with the message (files.completeUploadExternal), as Slack lists them. */
  files?: SlackFile[];
  /** Set on messages that carry an upload, as Slack does. */
  upload?: boolean;
}

/** A file as Slack's message JSON carries it (the fields a bot reads; Slack sends more). */
export interface SlackFile {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  user: string;
  size: number;
  mode: 'hosted';
  is_external: boolean;
  is_public: boolean;
  alt_txt?: string;
  url_private: string;
  permalink: string;
}

/** A message in a channel, plus what the emulator remembers about it beyond Slack's own fields. */
export interface StoredMessage extends SlackMessage {
  /** Channel id. Not part of Slack's message JSON; stripped before a message leaves through the Web API. */
  channel: string;
  /** Earlier versions, oldest first, each as it was before an edit replaced it. */
  revisions: Array<{ text: string; blocks?: Block[]; replacedAt: string }>;
}

/** An ephemeral message: only `user` sees it, it is never in history and cannot be fetched through the API. */
export interface EphemeralMessage {
  ephemeral: true;
  channel: string;
  /** The one user who sees it. */
  user: string;
  ts: string;
  text: string;
  blocks?: Block[];
  thread_ts?: string;
  /** Where it came from: a chat.postEphemeral call, a slash-command ack body, a response_url post, or Slack itself. */
  source: 'chat.postEphemeral' | 'ack' | 'response_url' | 'slack';
}

export interface SlackUser {
  id: string;
  name: string;
  real_name: string;
  is_bot: boolean;
}

export interface SlackChannel {
  id: string;
  name: string;
  members: string[];
  is_private: boolean;
  created: number;
  creator: string;
  topic: string;
  purpose: string;
}

/** One Web API call as the emulator answered it. */
export interface CallRecord {
  method: string;
  args: Record<string, unknown>;
  /** Epoch milliseconds when the call arrived. */
  at: number;
  /** HTTP status answered (200, 429, 404). */
  status: number;
  ok: boolean;
  error?: string;
}

/** A Block Kit rule broken by a message the bot tried to post or update. */
export interface Violation {
  method: string;
  channel?: string;
  ts?: string;
  /** JSON pointer into the call's arguments, e.g. `/blocks/3/elements/0/text/text`. */
  pointer: string;
  /** Slack's wording, e.g. `must be less than 76 characters`. */
  message: string;
  at: number;
}

/** What changed in the workspace; `waitFor` and the console listen for these. */
export type WorkspaceEvent =
  | { kind: 'posted'; message: StoredMessage }
  | { kind: 'edited'; message: StoredMessage }
  | { kind: 'deleted'; message: StoredMessage }
  | { kind: 'ephemeral'; message: EphemeralMessage }
  | { kind: 'ephemeral-replaced'; message: EphemeralMessage }
  | { kind: 'ephemeral-deleted'; message: EphemeralMessage };
