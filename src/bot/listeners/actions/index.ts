import type { App, BlockButtonAction } from '@slack/bolt';
import { parseApprovalButtonValue } from '../../../slack/blocks/approval';
import type { BotDeps } from '../../bot-deps';
import { registerAlertButtons } from './alert-buttons';
import { rewriteDecided } from './rewrite-decided';

/**
 * Button clicks. Each is acknowledged at once. A decision that counts is answered by the rewritten question,
 * which everybody sees; only a refused click gets an ephemeral, saying why and what to do.
 */
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
      // Read first: if the worker had not stored the question's ts yet, decide() cannot rewrite the message.
      const asked = (await deps.jobs.getJob(ids.jobId).catch(() => undefined))?.data.pendingApproval;
      const res = await deps.jobs.decide(ids.jobId, ids.approvalId, body.user.id, approved);
      if (res.ok && asked?.id === ids.approvalId && !asked.postedTs) await rewriteDecided(deps, body, asked, approved);
      if (!res.ok) await tell(body, res.message);
    });
  }

  if (deps.alerts) registerAlertButtons(app, deps, deps.alerts);

  app.action<BlockButtonAction>('job_cancel', async ({ ack, body, action }) => {
    await ack();
    const reply = await deps.jobs.cancel(action.value ?? '', body.user.id);
    // An accepted cancel is answered by the card, which the job rewrites as it stops; only a refusal (not
    // allowed, already finished …) or a cancel no card will show gets a private reply.
    if (!reply.cardAnswers) await tell(body, reply.text);
  });
}
