import type { App } from '@slack/bolt';
import type { Command, CommandContext, Reply } from '../../../../commands/types';
import { dispatch } from '../../../../commands/dispatch';
import { code, echo } from '../../../slack/blocks/text';
import type { Logger } from '../../../log';
import type { BotDeps } from '../../bot-deps';
import { EnqueueRefused } from '../../no-approver-left';

export function register(app: App, deps: BotDeps, commands: Command<any>[]): void {
  app.command('/elk', async ({ command, ack }) => {
    let reply: Reply;
    try {
      reply = await dispatch(commands, command.text ?? '', contextFor(deps, command.user_id, command.channel_id));
    } catch (err) {
      if (err instanceof EnqueueRefused) return void (await ack({ response_type: 'ephemeral', text: err.message }));
      deps.log.error({ err: (err as Error).message, user: command.user_id }, '/elk failed');
      reply = { text: `❌ Something went wrong handling ${code(`/elk ${command.text ?? ''}`)}: ${echo((err as Error).message, 300)}. Nothing was started; try again, and if it keeps failing ask an admin to check the bot's log.` };
    }
    await ack({ response_type: reply.inChannel ? 'in_channel' : 'ephemeral', text: reply.text, ...(reply.blocks ? { blocks: reply.blocks as never } : {}) });
  });
}

function contextFor(deps: BotDeps, user: string, channel: string): CommandContext {
  return {
    config: deps.config,
    user,
    channel,
    enqueue: (kind, cluster, args) => deps.jobs.enqueue(kind, cluster, args, user, channel),
    status: (jobId) => deps.jobs.status(jobId),
    cancel: (jobId) => deps.jobs.cancel(jobId, user),
  };
}

export type { Logger };
