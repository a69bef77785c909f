import type { App, BlockButtonAction } from '@slack/bolt';
import { parseApprovalButtonValue } from '../../../slack/blocks/approval';
import type { BotDeps } from '../../bot-deps';

/** Button clicks. Each is acknowledged at once; the answer to the clicker is ephemeral. */
export function register(app: App, deps: BotDeps): void {
  const tell = async (body: BlockButtonAction, text: string) => {
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (channel) await deps.slack.ephemeral(channel, body.user.id, { text, blocks: [] }).catch(() => undefined);
  };

  for (const [actionId, approved] of [['approval_approve', true], ['approval_reject', false]] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const ids = parseApprovalButtonValue(action.value);
      if (!ids) return tell(body, 'This button is malformed; it does nothing.');
      const res = await deps.jobs.decide(ids.jobId, ids.approvalId, body.user.id, approved);
      await tell(body, res.message);
    });
  }

  app.action<BlockButtonAction>('job_cancel', async ({ ack, body, action }) => {
    await ack();
    const reply = await deps.jobs.cancel(action.value ?? '', body.user.id);
    await tell(body, reply.text);
  });
}
