import { SlackEmulator } from './emulator';
import { listen } from './server';

export { SlackEmulator, type AnyMessage, type ButtonRef } from './emulator';
export type { ClickInput, DeliveryResult, SlashCommandInput } from './deliver';
export type { Failure } from './rate-limits';
export type { SignatureMode } from './signing';
export { slackSignature } from './signing';
export { messageText } from './message-text';
export { uploadsOf } from './file-uploads';
export type { Block, CallRecord, EphemeralMessage, SlackChannel, SlackFile, SlackMessage, SlackUser, StoredMessage, Violation } from './types';

export interface SlackEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  signingSecret: string;
  botToken: string;
  botUserId?: string;
  /** Where the bot's Bolt HTTP receiver listens, e.g. http://127.0.0.1:3000/slack/events. Settable later. */
  requestUrl?: string;
  /** Defaults to alice and bob. */
  users?: Array<{ id?: string; name: string; real_name?: string }>;
  /** Defaults to #general; members default to every user and the bot. */
  channels?: Array<{ id?: string; name: string; members?: string[]; is_private?: boolean }>;
  realisticRateLimits?: boolean;
  /** How long a delivery waits for the bot's answer before Slack's operation_timeout; 3000 ms as in Slack. */
  ackTimeoutMs?: number;
  teamId?: string;
  teamDomain?: string;
  /** An app-level token (`xapp-…`): the bot may then connect in Socket Mode, and deliveries use its socket. */
  appToken?: string;
}

export interface RunningSlackEmulator {
  /** Base URL, e.g. http://127.0.0.1:41234; the console is served at its root. */
  url: string;
  /** What the bot's WebClient takes as `slackApiUrl`. */
  apiUrl: string;
  emulator: SlackEmulator;
  close(): Promise<void>;
}

export async function startSlackEmulator(options: SlackEmulatorOptions): Promise<RunningSlackEmulator> {
  const emulator = new SlackEmulator(options);
  const { url, close } = await listen(emulator, options.port ?? 0, options.host);
  return { url, apiUrl: `${url}/api/`, emulator, close };
}
