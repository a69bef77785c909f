/**
 * The steps of `/elk alert-test`. Nothing here writes to the cluster. State keeps only plain JSON (the rule's
 * file and the range); each step reloads the rule from the rules folder, which is cheap and keeps job data free
 * of rule values (some are secrets). A step re-run after a crash repeats reads only (and at worst posts its
 * chart again).
 */
import { formatDuration } from '../../src/config/duration';
import { planRange, type Alert, type RuleConfig } from '../../src/rules';
import { renderCountsChart } from '../../src/charts/render-counts-chart';
import { esc } from '../../src/slack/blocks/text';
import type { Step, StepContext } from '../../src/runner/types';
import { backtest, chartInput } from './backtest';
import { matchMessages, summaryLine, sweepTable } from './report';
import { issueLines, selectRules } from './select-rules';
import { testAlert } from './test-alert';
import { resolveTime } from './time-arg';
import type { AlertTestArgs, AlertTestDeps } from './types';

type Ctx = StepContext<AlertTestArgs, AlertTestDeps>;

const iso = (ms: number) => new Date(ms).toISOString();

function theRule(ctx: Ctx): RuleConfig {
  const file = ctx.state.ruleFile as string;
  const { checked } = selectRules(ctx.deps, { ...ctx.data.args, rule: file, all: false });
  const rule = checked[0]?.rule;
  if (!rule) throw new Error(`rule ${file} no longer validates (was it edited during the test?); run /elk alert-test again`);
  return rule;
}

const checkRule: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'check-rule',
  label: 'Load, fill and validate the rule',
  async run(ctx) {
    const { checked, notFound } = selectRules(ctx.deps, ctx.data.args);
    if (notFound) return { stop: notFound, reason: 'failed' };
    const c = checked[0];
    const lines = issueLines(c);
    const errors = c.issues.filter((i) => i.severity === 'error').length;
    if (lines.length) await ctx.say(`Validation of \`${esc(c.file)}\` with the \`${esc(ctx.data.args.env)}\` values:\n${lines.join('\n')}`);
    if (errors || !c.rule) {
      return { stop: `\`${esc(c.file)}\` has ${errors} error${errors === 1 ? '' : 's'} Elastalert would fail on; fix ${errors === 1 ? 'it' : 'them'} (above) and run the test again. Nothing was evaluated.`, reason: 'failed' };
    }
    return { done: `\`${esc(c.file)}\` (*${esc(c.name)}*, ${c.rule.type}) is valid for \`${esc(ctx.data.args.env)}\`${lines.length ? ` with ${lines.length} warning${lines.length === 1 ? '' : 's'}` : ''}`, state: { ruleFile: c.file } };
  },
};

const planRun: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'plan-range',
  label: 'Plan the time range',
  async run(ctx) {
    const rule = theRule(ctx);
    const a = ctx.data.args;
    const now = ctx.clock.now();
    let range: { from: number; to: number; reason: string; warning?: string };
    if (a.from && a.to) {
      const from = resolveTime(a.from, now);
      const to = resolveTime(a.to, now);
      if (!(to > from)) return { stop: `--from (${iso(from)}) must be before --to (${iso(to)})`, reason: 'failed' };
      range = { from, to, reason: '--from/--to' };
      const min = rule.type === 'spike' ? 2 * (rule.timeframeMs ?? 0) + 60_000 : rule.timeframeMs ?? 0;
      if (to - from < min) range.warning = `${formatDuration(to - from)} is shorter than the ${formatDuration(min)} a ${rule.type} rule needs before it can fire`;
    } else range = planRange(rule, { now, days: a.days });
    if (range.warning) await ctx.say(`⚠️ ${esc(range.warning)}`);
    return { done: `${iso(range.from)} → ${iso(range.to)} (${formatDuration(range.to - range.from)}): ${esc(range.reason)}`, state: { range } };
  },
};

const runBacktest: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'backtest',
  label: 'Evaluate the rule against the cluster',
  async run(ctx) {
    const rule = theRule(ctx);
    const range = ctx.state.range as { from: number; to: number };
    const r = await backtest(rule, ctx.deps.data(rule), range, ctx.data.args.sweep);
    const summary = summaryLine(rule, r, range);
    const thread = ctx.data.thread;
    if (thread) {
      const chart = renderCountsChart(
        chartInput(rule, { series: r.series, intervalMs: r.intervalMs, alerts: r.evaluation.alerts }, `${rule.name}: ${r.evaluation.alerts.length} firing${r.evaluation.alerts.length === 1 ? '' : 's'}`,
          `${ctx.data.cluster} · ${String(rule.props.index)} · ${iso(range.from).slice(0, 16)} → ${iso(range.to).slice(0, 16)} UTC`),
      );
      const f = await ctx.deps.uploadToThread(thread, {
        filename: `alert-test-${rule.file.replace(/[^\w.-]+/g, '_').replace(/\.ya?ml$/, '')}.png`,
        title: `${rule.name}: matching documents per ${formatDuration(r.intervalMs)}`,
        bytes: chart.png,
        initialComment: `Matching documents per ${formatDuration(r.intervalMs)} (the counts the evaluation read), with the rule's thresholds and its matches`,
        altText: `Bar chart of matching documents per ${formatDuration(r.intervalMs)} for ${rule.name}; ${r.evaluation.alerts.length} match(es)`,
      });
      await ctx.setState({ chartFileId: f.id, chartBytes: chart.png.length });
    }
    for (const m of matchMessages(rule, r)) await ctx.say(m);
    const table = sweepTable(r);
    if (table) await ctx.say(table);
    if (ctx.data.args.post) await ctx.say(await postTest(ctx, rule, r.evaluation.alerts));
    const alerts = r.evaluation.alerts.map((a) => ({ ts: a.ts, iso: a.iso, counts: a.counts, text: a.text, renderError: a.renderError }));
    return { done: summary, state: { result: { fired: alerts.length, silenced: r.evaluation.silenced.length, hits: r.hits, alerts, sweep: r.sweep?.rows } } };
  },
};

/** `--post`: the newest would-have-fired match goes through alert delivery, marked TEST. */
async function postTest(ctx: Ctx, rule: RuleConfig, alerts: Alert[]): Promise<string> {
  const newest = alerts[alerts.length - 1];
  if (!newest) return '`--post`: the rule would not have fired over this range, so no TEST alert was sent; pick a range with a match (`--from`/`--to`)';
  if (!ctx.deps.postAlert) return '`--post`: this worker has no alert queue to send to; nothing was sent';
  const alert = testAlert(rule, newest, { cluster: ctx.data.cluster, requester: ctx.data.requester, jobId: ctx.jobId, now: ctx.clock.now() });
  const fresh = await ctx.deps.postAlert(alert);
  return fresh
    ? `\`--post\`: sent the match at \`${newest.iso}\` as a TEST alert *${esc(alert.rule)}* through alert delivery; it opens a thread where this rule's alerts are routed (\`elastalert.routes\`)`
    : `\`--post\`: the TEST alert for the match at \`${newest.iso}\` was already sent by this job (resumed after a restart); not sent again`;
}

const checkAll: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'check-rules',
  label: 'Load, fill and validate every rule',
  async run(ctx) {
    const { checked } = selectRules(ctx.deps, ctx.data.args);
    const bad = checked.filter((c) => !c.rule);
    for (const c of bad) await ctx.say(`*${esc(c.name)}*:\n${issueLines(c).join('\n')}`);
    return { done: `${checked.length} rule${checked.length === 1 ? '' : 's'}: ${checked.length - bad.length} valid, ${bad.length} with errors`, state: { valid: checked.filter((c) => c.rule).map((c) => c.file), invalid: bad.map((c) => c.file) } };
  },
};

const backtestAll: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'backtest-all',
  label: 'Evaluate every valid rule against the cluster',
  async run(ctx) {
    const { checked } = selectRules(ctx.deps, ctx.data.args);
    const lines: string[] = [];
    const results: Record<string, unknown>[] = [];
    for (const c of checked) {
      if (!c.rule) {
        lines.push(`❌ *${esc(c.name)}* (\`${esc(c.file)}\`): ${c.issues.filter((i) => i.severity === 'error').length} error(s), not evaluated`);
        continue;
      }
      const range = planRange(c.rule, { now: ctx.clock.now(), days: ctx.data.args.days });
      try {
        const r = await backtest(c.rule, ctx.deps.data(c.rule), range);
        const renderErrors = r.evaluation.alerts.filter((a) => a.renderError).length;
        lines.push(`${r.evaluation.alerts.length ? '🔔' : '✅'} ${summaryLine(c.rule, r, range)}${renderErrors ? ` — ❌ ${renderErrors} alert text(s) fail to render` : ''}`);
        results.push({ file: c.file, fired: r.evaluation.alerts.length, from: range.from, to: range.to });
      } catch (e) {
        lines.push(`❌ *${esc(c.name)}* (\`${esc(c.file)}\`): ${esc((e as Error).message)}`);
      }
    }
    await ctx.say(lines.join('\n') || 'no rules found');
    return { done: `evaluated ${results.length} of ${checked.length} rule${checked.length === 1 ? '' : 's'}`, state: { results } };
  },
};

export function alertTestSteps(data: { args: AlertTestArgs }): Step<AlertTestArgs, AlertTestDeps>[] {
  return data.args.all ? [checkAll, backtestAll] : [checkRule, planRun, runBacktest];
}
