import type { WebClient } from '@slack/web-api';
import type { Message } from './blocks/text';
import { ChannelPacer } from './channel-pacer';

/** The Slack calls the bot makes, and nothing else: the reporter and the listeners depend on this, not the SDK. */
export interface SlackPoster {
  /**
   * `urgent` posts (approval questions) go ahead of informational posts waiting for the channel's pace;
   * `broadcast` also shows a thread reply in the channel (reply_broadcast), where a question cannot be missed.
   */
  post(channel: string, msg: Message, threadTs?: string, opts?: { urgent?: boolean; broadcast?: boolean }): Promise<string>;
  update(channel: string, ts: string, msg: Message): Promise<void>;
  ephemeral(channel: string, user: string, msg: Message): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
}

export function slackPoster(client: WebClient, pacer = new ChannelPacer()): SlackPoster {
  return {
    async post(channel, msg, threadTs, opts) {
      await pacer.take(channel, opts?.urgent);
      const broadcast = threadTs && opts?.broadcast ? { reply_broadcast: true as const } : {};
      const res = await client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks as never, thread_ts: threadTs, ...broadcast, unfurl_links: false } as never);
      return res.ts as string;
    },
    async update(channel, ts, msg) {
      await client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks as never });
    },
    async ephemeral(channel, user, msg) {
      await client.chat.postEphemeral({ channel, user, text: msg.text, blocks: msg.blocks as never });
    },
    async permalink(channel, ts) {
      try {
        return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink;
      } catch {
        return undefined;
      }
    },
  };
}
