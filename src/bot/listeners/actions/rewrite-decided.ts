import type { BlockButtonAction } from '@slack/bolt';
import type { PendingApproval } from '../../../runner/types';
import { decidedMessage } from '../../../slack/blocks/approval';
import type { BotDeps } from '../../bot-deps';

/**
 * Rewrites the clicked question as decided, using the click's own message ts. The job service can only do
 * that once the worker has stored the question's ts; a click that comes first (the approver is fast, the
 * worker slow) would otherwise leave live buttons on a question that has been answered.
 */
export async function rewriteDecided(deps: BotDeps, body: BlockButtonAction, asked: PendingApproval, approved: boolean): Promise<void> {
  const channel = body.container?.channel_id ?? body.channel?.id;
  const ts = body.container?.message_ts ?? body.message?.ts;
  if (!channel || !ts) return;
  const label = approved ? asked.approveLabel : asked.rejectLabel;
  try {
    await deps.slack.update(channel, ts, decidedMessage(asked.request, { approved, by: body.user.id, at: Date.now(), ...(label ? { label } : {}) }, asked.purpose));
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'could not mark the approval message as decided');
  }
}
