import type { Logger } from '../log';
import type { SlackPoster } from '../slack/slack-poster';
import type { JobData } from './types';

/**
 * The last resort when the job's thread could not carry the news (it was never opened, or the final post
 * failed): an ephemeral to the requester in the channel they typed the command in.
 */
export async function notifyRequester(slack: SlackPoster, data: JobData, jobId: string, reason: string, log: Logger): Promise<void> {
  const text = `❌ Your job \`${jobId}\` failed: ${reason}. \`/elk status ${jobId}\` shows its steps.`;
  try {
    await slack.ephemeral(data.channel, data.requester, { text, blocks: [] });
  } catch (err) {
    log.error({ job: jobId, err: (err as Error).message }, 'could not tell the requester that the job failed');
  }
}
