/** Why the job card could not be posted, in words that say what to change. */
export function threadError(channel: string, cluster: string, err: unknown): string {
  const code = (err as { data?: { error?: string } })?.data?.error ?? (err as Error)?.message ?? String(err);
  const fix: Record<string, string> = {
    channel_not_found: `check clusters.${cluster}.opsChannel (a channel id like C024BE91L) and invite the bot to that channel`,
    not_in_channel: `invite the bot to <#${channel}> (/invite @elk-ops), or point clusters.${cluster}.opsChannel elsewhere`,
    is_archived: `<#${channel}> is archived: unarchive it or point clusters.${cluster}.opsChannel at a live channel`,
    msg_too_long: 'the job card is longer than Slack accepts: shorten the command arguments (e.g. a narrower index expression) and run it again',
    invalid_auth: 'the Slack bot token is not valid: check slack.botToken',
  };
  return `could not open the job thread in <#${channel}> (${code}): ${fix[code] ?? 'check the bot\'s Slack token and channel, then run the command again'}`;
}
