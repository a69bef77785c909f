/**
 * What an alert thread gets once, after its parent is posted: a link to the elk-ops job running on the same
 * cluster (both ways: the alert thread names the job, the job thread names the alert), the counts chart, and
 * the "what moved" breakdown with its Kibana Discover link.
 * Each is claimed in Redis before it is posted (at most once: a crash in between leaves it out rather than
 * post it twice), and a failure only costs the extra, never the alert: it is logged and the flush goes on.
 */
import type { WebClient } from '@slack/web-api';
import { formatDuration } from '../config/duration';
import type { Config } from '../config/schema';
import type { Logger } from '../log';
import { esc, section } from '../slack/blocks/text';
import type { SlackPoster } from '../slack/slack-poster';
import { uploadFile } from '../slack/upload-file';
import type { AlertCountsPort } from './alert-counts';
import type { BreakdownPort } from './alert-breakdown';
import { chartRange } from './alert-chart';
import { breakdownMessage } from './breakdown-message';
import { discoverUrl, ruleLucene } from './kibana-link';
import { alertChart } from './alert-chart';
import type { AlertGroups, GroupState } from './alert-groups';
import type { AlertSummary, RuleBook } from './alert-content';
import { jobWords, type RunningJobs } from './running-job';

export interface ExtrasDeps {
  config: Config;
  groups: AlertGroups;
  slack: SlackPoster;
  client: WebClient;
  rules: Pick<RuleBook, 'find'>;
  counts: AlertCountsPort;
  breakdown: BreakdownPort;
  jobs: RunningJobs;
  log: Logger;
}

const link = (url: string | undefined, label: string) => (url ? `<${url}|${label}>` : label);

/** The rule a group's alerts come from: a TEST alert's group is named "[TEST] …" but charts its real rule. */
const ruleOf = (g: GroupState) => (g.first as AlertSummary).test?.rule ?? g.rule;

export async function threadExtras(d: ExtrasDeps, g: GroupState): Promise<void> {
  if (!g.threadTs || g.state !== 'open') return;
  if (!g.once.includes('ops') && g.cluster) await linkRunningJob(d, g).catch((e) => d.log.warn({ err: (e as Error).message, group: g.gid }, 'could not link the alert to the job running on its cluster'));
  if (!g.once.includes('breakdown')) await postBreakdown(d, g).catch((e) => d.log.warn({ err: (e as Error).message, group: g.gid, rule: g.rule }, 'alert breakdown skipped: the terms queries or the post failed'));
  if (!g.once.includes('chart')) await postChart(d, g).catch((e) => d.log.warn({ err: (e as Error).message, group: g.gid, rule: g.rule }, 'alert chart skipped: the counts query or the upload failed (the upload needs files:write)'));
}

async function linkRunningJob(d: ExtrasDeps, g: GroupState): Promise<void> {
  const job = await d.jobs.on(g.cluster);
  // Claimed only once a job is found: a thread opened while nothing ran has nothing to link, now or later.
  if (!job || !(await d.groups.claimOnce(g.gid, 'ops', g.epi))) return;
  const holds = job.kind === 'upgrade' && !!g.severity && d.config.elastalert.alerts.holdUpgradesOn.includes(g.severity);
  const [jobLink, alertLink] = await Promise.all([
    job.thread ? d.slack.permalink(job.thread.channel, job.thread.ts) : Promise.resolve(undefined),
    d.slack.permalink(g.channel, g.threadTs),
  ]);
  const step = `step ${job.step}${job.total ? `/${job.total}` : ''}${job.doing ? `, ${esc(job.doing)}` : ''}`;
  const hold = holds ? `\n⏸️ Its next terminate waits until this ${esc(g.severity)} alert is acknowledged (\`no_open_alert_on_cluster\`).` : '';
  const toAlert = `🔧 ${jobWords(job.kind)[0].toUpperCase()}${jobWords(job.kind).slice(1)} of *${esc(g.cluster)}* is in progress (${step}): ${link(jobLink, 'job thread')} · \`${esc(job.id)}\`, requested by <@${job.requester}>${hold}`;
  await d.slack.post(g.channel, { text: toAlert, blocks: [section(toAlert)] }, g.threadTs);
  if (job.thread) {
    const qk = g.qkField ? ` (\`${esc(g.qkField)}=${esc(g.qkValue)}\`)` : '';
    const toJob = `🔔 Alert *${esc(g.rule)}*${qk}${g.severity ? ` [${esc(g.severity)}]` : ''} fired on *${esc(g.cluster)}* while this job runs: ${link(alertLink, 'alert thread')}${holds ? ' — while it is unacknowledged, the next terminate waits' : ''}`;
    await d.slack.post(job.thread.channel, { text: toJob, blocks: [section(toJob)] }, job.thread.ts);
  }
  d.log.info({ group: g.gid, job: job.id }, 'alert thread linked to the job running on its cluster');
}

async function postChart(d: ExtrasDeps, g: GroupState): Promise<void> {
  if (!g.cluster || !d.config.clusters[g.cluster]) {
    d.log.info({ group: g.gid, rule: g.rule, cluster: g.cluster || undefined }, 'alert chart skipped: the alert names no configured cluster (route it with {channel, cluster} or send cluster in the payload)');
    return void (await d.groups.claimOnce(g.gid, 'chart', g.epi));
  }
  const rule = d.rules.find(ruleOf(g), g.cluster);
  if (!rule) {
    d.log.info({ group: g.gid, rule: g.rule }, `alert chart skipped: no rule named "${ruleOf(g)}" in elastalert.rulesDir, so there is no query to count with`);
    return void (await d.groups.claimOnce(g.gid, 'chart', g.epi));
  }
  if (!(await d.groups.claimOnce(g.gid, 'chart', g.epi))) return;
  const chart = await alertChart(g, rule, d.counts);
  if (!chart) return;
  const every = formatDuration(chart.intervalMs);
  await uploadFile(d.client, {
    channel: g.channel,
    threadTs: g.threadTs,
    filename: `alert-${ruleOf(g).replace(/[^\w.-]+/g, '_').slice(0, 60)}.png`,
    title: `${g.rule}: matching events per ${every}`,
    bytes: chart.png,
    initialComment: `Matching events per ${every} on ${g.cluster} around the first match${rule.type === 'spike' ? ' (reference and current windows shaded)' : ''}`,
    altText: `Bar chart of ${g.rule}'s matching events per ${every} on ${g.cluster} around the first match`,
  });
  d.log.info({ group: g.gid, rule: g.rule, bytes: chart.png.length }, 'alert chart posted');
}

/** A Slack link longer than this would be cut inside the context block; the breakdown is posted without it. */
const MAX_LINK = 2000;

async function postBreakdown(d: ExtrasDeps, g: GroupState): Promise<void> {
  const fields = d.config.elastalert.alerts.breakdown;
  const cluster = d.config.clusters[g.cluster];
  const rule = cluster && fields.length ? d.rules.find(ruleOf(g), g.cluster) : undefined;
  // Nothing to query with (no cluster, no rule file, no fields): given up for this thread, as the chart is.
  if (!rule) return void (await d.groups.claimOnce(g.gid, 'breakdown', g.epi));
  if (!(await d.groups.claimOnce(g.gid, 'breakdown', g.epi))) return;
  // The chart's windows, so the numbers here are the shaded areas there.
  const [reference, current] = chartRange(rule, g.firstMatch ?? g.openedAt).windows!;
  const windows = rule.type === 'spike' ? { reference, current: current! } : { reference: { from: reference.from - (reference.to - reference.from), to: reference.from }, current: reference };
  const qk = g.qkField ? { field: g.qkField, value: g.qkValue } : undefined;
  const b = await d.breakdown.breakdown(g.cluster, rule, windows, fields, qk);
  if (!b) return;
  const kibana = cluster.kibanaUrl ?? (typeof rule.props.kibana_url === 'string' ? rule.props.kibana_url : undefined);
  let discover: { url: string; exact: boolean } | undefined;
  if (kibana) {
    const q = ruleLucene(rule, qk);
    const indexId = typeof rule.props.kibana_discover_index_pattern_id === 'string' ? rule.props.kibana_discover_index_pattern_id : undefined;
    const url = discoverUrl(kibana, windows.reference.from, windows.current.to, q.query, indexId);
    if (url.length <= MAX_LINK) discover = { url, exact: q.exact };
    else d.log.info({ group: g.gid, chars: url.length }, 'Discover link left out of the breakdown: too long for a Slack link');
  }
  await d.slack.post(g.channel, breakdownMessage(b, g.cluster, discover), g.threadTs);
  d.log.info({ group: g.gid, rule: g.rule, reference: b.totals.reference, current: b.totals.current }, 'alert breakdown posted');
}
