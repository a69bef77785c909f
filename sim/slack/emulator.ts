import { deliverButtonClick, deliverSlashCommand, listButtons, type ClickInput, type DeliveryContext, type DeliveryResult, type RenderedButton, type SlashCommandInput } from './deliver';
import { messageText } from './message-text';
import { RateLimiter, type Failure } from './rate-limits';
import { ResponseUrls } from './response-url';
import type { CallRecord, EphemeralMessage, SlackChannel, StoredMessage, Violation, WorkspaceEvent } from './types';
import { SocketModeHub } from './socket-mode';
import { callWebApi, type WebApiContext } from './web-api';
import { Workspace, type WorkspaceSeed } from './workspace';

export type AnyMessage = StoredMessage | EphemeralMessage;

/** A button as `findButton` returns it: spread it into `clickButton({ user, ...button })`. */
export interface ButtonRef extends Omit<RenderedButton, 'element'> {
  channel: string;
  messageTs: string;
}

export interface EmulatorOptions extends WorkspaceSeed {
  signingSecret: string;
  botToken: string;
  requestUrl?: string;
  realisticRateLimits?: boolean;
  /** How long Slack waits for the bot to answer a delivery; 3000 as in Slack. */
  ackTimeoutMs?: number;
  /** The app-level token (`xapp-…`) that may open Socket Mode connections; none: Socket Mode is off. */
  appToken?: string;
}

/** The test-facing face of the emulated Slack: its state, its knobs, and the user's hands (commands, clicks). */
export class SlackEmulator {
  readonly workspace: Workspace;
  /** Every Web API call, in arrival order. */
  readonly calls: CallRecord[] = [];
  /** Every Block Kit rule broken by a message the bot sent (each such message was refused). */
  readonly violations: Violation[] = [];
  private readonly limiter: RateLimiter;
  private readonly responseUrls: ResponseUrls;
  private readonly delivery: DeliveryContext;
  private requestUrl: string | undefined;
  private baseUrl = '';
  private readonly api: WebApiContext;
  /** Socket Mode connections of the app; deliveries use them while one is open. */
  readonly socketMode: SocketModeHub;

  constructor(options: EmulatorOptions) {
    this.workspace = new Workspace(options);
    this.limiter = new RateLimiter(options.realisticRateLimits ?? false);
    this.requestUrl = options.requestUrl;
    const base = () => this.baseUrl;
    this.responseUrls = new ResponseUrls(this.workspace, this.violations, base);
    this.socketMode = new SocketModeHub(this.workspace.appId, base);
    this.api = {
      workspace: this.workspace,
      limiter: this.limiter,
      botToken: options.botToken,
      appToken: options.appToken,
      openSocketUrl: () => this.socketMode.openUrl(),
      baseUrl: base,
      calls: this.calls,
      violations: this.violations,
    };
    this.delivery = {
      workspace: this.workspace,
      responseUrls: this.responseUrls,
      signingSecret: options.signingSecret,
      requestUrl: () => {
        if (!this.requestUrl) throw new Error('the Slack emulator has no request URL for the bot yet: call setRequestUrl()');
        return this.requestUrl;
      },
      ackTimeoutMs: options.ackTimeoutMs ?? 3000,
      violations: this.violations,
      socket: this.socketMode,
    };
  }

  /** Called by the server once it knows its port. */
  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  get botUserId(): string {
    return this.workspace.bot.id;
  }

  get currentRequestUrl(): string | undefined {
    return this.requestUrl;
  }

  setRequestUrl(url: string): void {
    this.requestUrl = url;
  }

  respond(id: string, payload: Record<string, unknown>) {
    return this.responseUrls.respond(id, payload);
  }

  slashCommand(input: SlashCommandInput): Promise<DeliveryResult> {
    return deliverSlashCommand(this.delivery, input);
  }

  clickButton(input: ClickInput): Promise<DeliveryResult> {
    return deliverButtonClick(this.delivery, input);
  }

  /**
   * A person typing in the channel (or a thread). Slack's client escapes &, < and > in what people type, so stored
   * text holds `&lt;` where they typed `<`. The bot is not told: the emulator has no Events API.
   */
  postAsUser(user: string, channel: string, text: string, threadTs?: string): StoredMessage {
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return this.workspace.post(this.workspace.channel(channel).id, this.workspace.requireUser(user), { text: escaped, thread_ts: threadTs });
  }

  channel(ref: string): SlackChannel {
    return this.workspace.channel(ref);
  }

  /** The channel as people see it: top-level messages and broadcast replies, oldest first. */
  messages(channel: string): StoredMessage[] {
    return this.workspace
      .allMessages(this.channel(channel).id)
      .filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast');
  }

  /** The parent followed by its replies, oldest first. */
  thread(channel: string, ts: string): StoredMessage[] {
    const id = this.channel(channel).id;
    const parent = this.workspace.findMessage(id, ts);
    if (!parent) throw new Error(`no message ${ts} in ${channel}`);
    return [parent, ...this.workspace.threadReplies(id, parent.ts)];
  }

  ephemerals(user?: string): EphemeralMessage[] {
    const all = this.workspace.ephemerals();
    if (user === undefined) return [...all];
    const id = this.workspace.requireUser(user).id;
    return all.filter((e) => e.user === id);
  }

  failNext(method: string, failure: Failure, times = 1): void {
    this.limiter.failNext(method, failure, times);
  }

  /** Every call of `method` answers 429 for the next `durationMs`. */
  rateLimitFor(method: string, durationMs: number): void {
    this.limiter.rateLimitFor(method, durationMs);
  }

  /**
   * The newest button, in the channel's messages and thread replies (then the channel's ephemerals), whose label or
   * action_id is `textOrActionId`.
   */
  findButton(channel: string, textOrActionId: string): ButtonRef {
    const id = this.channel(channel).id;
    const candidates: AnyMessage[] = [
      ...[...this.workspace.allMessages(id)].reverse(),
      ...this.workspace.ephemerals().filter((e) => e.channel === id).reverse(),
    ];
    for (const m of candidates) {
      const b = listButtons(m.blocks).find((x) => x.text === textOrActionId || x.actionId === textOrActionId);
      if (b) {
        const { element: _element, ...rest } = b;
        return { ...rest, channel: id, messageTs: m.ts };
      }
    }
    throw new Error(`no button "${textOrActionId}" in ${channel}`);
  }

  /**
   * Resolves with the first message (channel message, reply or ephemeral) that matches, now or after a later post
   * or edit. Woken by state changes, never by polling.
   */
  waitFor(predicate: (m: AnyMessage) => boolean, { timeoutMs = 5000 }: { timeoutMs?: number } = {}): Promise<AnyMessage> {
    const all = () => [...this.workspace.listChannels().flatMap((c) => this.workspace.allMessages(c.id)), ...this.workspace.ephemerals()];
    return this.waitUntil(() => all().find(predicate), { timeoutMs, what: `a message matching ${predicate.toString()}` });
  }

  /** Resolves with the probe's first truthy answer, re-asked after every change in the workspace. */
  waitUntil<T>(probe: () => T | undefined | null | false, { timeoutMs = 5000, what = probe.toString() }: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      const first = probe();
      if (first) return resolve(first);
      const events = this.workspace.events;
      const onChange = (_event: WorkspaceEvent) => {
        const found = probe();
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        events.off('change', onChange);
      };
      events.on('change', onChange);
    });
  }

  /** A readable dump of every channel, for failure messages. */
  describe(): string {
    const lines: string[] = [];
    for (const c of this.workspace.listChannels()) {
      const msgs = this.workspace.allMessages(c.id);
      if (!msgs.length) continue;
      lines.push(`#${c.name}:`);
      for (const m of msgs.slice(-15)) {
        const indent = m.thread_ts && m.thread_ts !== m.ts ? '    ↳ ' : '  ';
        lines.push(`${indent}[${m.ts}] ${this.workspace.findUser(m.user ?? '')?.name ?? m.user}: ${messageText(m).replace(/\n/g, ' ⏎ ').slice(0, 200)}`);
      }
    }
    for (const e of this.workspace.ephemerals().slice(-10)) {
      lines.push(`  (ephemeral to ${this.workspace.findUser(e.user)?.name}) [${e.ts}] ${messageText(e).replace(/\n/g, ' ⏎ ').slice(0, 200)}`);
    }
    return lines.join('\n') || '(no messages)';
  }

  callApi(method: string, args: Record<string, unknown>, token: string | undefined) {
    return callWebApi(this.api, method, args, token);
  }
}
