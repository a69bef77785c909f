/**
 * A real-time instant as Slack's date token: every reader sees it in their own time zone ("Today at 03:42"),
 * and clients that cannot render the token show the UTC fallback. Only real epoch ms belong here — never the
 * sandbox's accelerated cluster clock, which runs ahead of the reader's wall clock.
 */
export function slackDate(realMs: number): string {
  const unix = Math.floor(realMs / 1000);
  const fallback = `${new Date(realMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${unix}^{date_short_pretty} {time}|${fallback}>`;
}
