/**
 * What an alert thread gets once, after its parent is posted: a link to the elk-ops job running on the same
 * cluster (both ways: the alert thread names the job, the job thread names the alert), and the counts chart.
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
  jobs: RunningJobs;
  log: Logger;
}

const link = (url: string | undefined, label: string) => (url ? `<${url}|${label}>` : label);

/** The rule a group's alerts come from: a TEST alert's group is named "[TEST] …" but charts its real rule. */
const ruleOf = (g: GroupState) => (g.first as AlertSummary).test?.rule ?? g.rule;

export async function threadExtras(d: ExtrasDeps, g: GroupState): Promise<void> {
  if (!g.threadTs || g.state !== 'open') return;
  if (!g.once.includes('ops') && g.cluster) await linkRunningJob(d, g).catch((e) => d.log.warn({ err: (e as Error).message, group: g.gid }, 'could not link the alert to the job running on its cluster'));
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
