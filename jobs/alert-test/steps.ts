/**
 * The steps of `/elk alert-test`. Nothing here writes to the cluster. State keeps only plain JSON (the rule's
 * file and the range); each step reloads the rule from the rules folder, which is cheap and keeps job data free
 * of rule values (some are secrets). A step re-run after a crash repeats reads only (and at worst posts its
 * chart again).
 */
import { formatDuration } from '../../src/config/duration';
import { daemonTimes, maskSecrets, parseSweep, planRange, sweepIgnoredBy, unsupportedTypeMessage, type Alert, type RuleConfig } from '../../src/rules';
import { renderCountsChart } from '../../src/charts/render-counts-chart';
import { esc } from '../../src/slack/blocks/text';
import type { Step, StepContext } from '../../src/runner/types';
import { backtest, chartInput, type BacktestOptions } from './backtest';
import { chartTexts, matchMessages, summaryLine, sweepTable } from './report';
import { issueLines, selectRules } from './select-rules';
import { testAlert } from './test-alert';
import { resolveTime } from './time-arg';
import type { AlertTestArgs, AlertTestDeps } from './types';

type Ctx = StepContext<AlertTestArgs, AlertTestDeps>;
type Range = { from: number; to: number; reason: string; warning?: string };

const iso = (ms: number) => new Date(ms).toISOString();
const masker = (secrets: readonly string[]) => (text: string) => maskSecrets(text, secrets);

function theRule(ctx: Ctx): RuleConfig {
  const file = ctx.state.ruleFile as string;
  const { checked } = selectRules(ctx.deps, { ...ctx.data.args, rule: file, all: false });
  const rule = checked[0]?.rule;
  if (!rule) throw new Error(`rule ${file} no longer validates (was it edited during the test?); run /elk alert-test again`);
  return rule;
}

/** The daemon's global run_every / buffer_time for the environment (`elastalert.daemon.<env>`), if configured. */
function daemonOptions(ctx: Ctx): BacktestOptions {
  const d = ctx.deps.daemon?.[ctx.data.args.env];
  return { runEveryMs: d?.runEvery, bufferTimeMs: d?.bufferTime };
}

function daemonText(ctx: Ctx, rule: RuleConfig): string {
  const o = daemonOptions(ctx);
  const t = daemonTimes(rule, o);
  const from = o.runEveryMs !== undefined || o.bufferTimeMs !== undefined ? `elastalert.daemon.${ctx.data.args.env}` : "Elastalert's example config; set elastalert.daemon." + ctx.data.args.env;
  const own = [rule.runEveryMs !== undefined && 'run_every', rule.bufferTimeMs !== undefined && 'buffer_time'].filter(Boolean);
  return `daemon run_every ${formatDuration(t.runEvery)}, buffer_time ${formatDuration(t.bufferTime)} (${from}${own.length ? `; the rule sets its own ${own.join(' and ')}` : ''})`;
}

/** `--from/--to` when given, else the range planned so the rule can fire (or `--days`); a string says why not. */
function rangeFor(rule: RuleConfig, args: AlertTestArgs, now: number, runEveryMs: number | undefined): Range | string {
  const explicit = args.from && args.to ? { from: resolveTime(args.from, now), to: resolveTime(args.to, now) } : undefined;
  try {
    return planRange(rule, { now, days: args.days, runEveryMs, explicit });
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why the bot cannot evaluate this valid rule as asked, before anything runs; undefined when it can. */
function notEvaluable(rule: RuleConfig, sweep: string | undefined): string | undefined {
  const unsupported = unsupportedTypeMessage(rule);
  if (unsupported) return unsupported;
  if (sweep) {
    const why = sweepIgnoredBy(rule, parseSweep(sweep).key);
    if (why) return `\`--sweep ${sweep}\`: ${why}`;
  }
  return undefined;
}

const checkRule: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'check-rule',
  label: 'Load, fill and validate the rule',
  async run(ctx) {
    const { checked, notFound } = selectRules(ctx.deps, ctx.data.args);
    if (notFound) return { stop: notFound, reason: 'failed' };
    const c = checked[0];
    const mask = masker(c.secretValues);
    const lines = issueLines(c);
    const errors = c.issues.filter((i) => i.severity === 'error').length;
    if (lines.length) await ctx.say(mask(`Validation of \`${esc(c.file)}\` with the \`${esc(ctx.data.args.env)}\` values:\n${lines.join('\n')}`));
    if (errors || !c.rule) {
      return { stop: `\`${esc(c.file)}\` has ${errors} error${errors === 1 ? '' : 's'} Elastalert would fail on; fix ${errors === 1 ? 'it' : 'them'} (above) and run the test again. Nothing was evaluated.`, reason: 'failed' };
    }
    const valid = `\`${esc(c.file)}\` (*${esc(c.name)}*, ${c.rule.type}) is valid for \`${esc(ctx.data.args.env)}\`${lines.length ? ` with ${lines.length} warning${lines.length === 1 ? '' : 's'}` : ''}`;
    const why = notEvaluable(c.rule, ctx.data.args.sweep);
    if (why) return { stop: mask(`${valid}, but ${esc(why)} Nothing was evaluated.`), reason: 'failed' };
    return { done: mask(valid), state: { ruleFile: c.file } };
  },
};

const planRun: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'plan-range',
  label: 'Plan the time range',
  async run(ctx) {
    const rule = theRule(ctx);
    const range = rangeFor(rule, ctx.data.args, ctx.clock.now(), daemonOptions(ctx).runEveryMs);
    if (typeof range === 'string') return { stop: range, reason: 'failed' };
    if (range.warning) await ctx.say(`⚠️ ${esc(range.warning)}`);
    return { done: `${iso(range.from)} → ${iso(range.to)} (${formatDuration(range.to - range.from)}): ${esc(range.reason)}; ${esc(daemonText(ctx, rule))}`, state: { range } };
  },
};

const runBacktest: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'backtest',
  label: 'Evaluate the rule against the cluster',
  async run(ctx) {
    const rule = theRule(ctx);
    const mask = masker(rule.secretValues);
    const range = ctx.state.range as { from: number; to: number };
    let r;
    try {
      r = await backtest(rule, ctx.deps.data(rule), range, ctx.data.args.sweep, daemonOptions(ctx));
    } catch (e) {
      throw new Error(mask((e as Error).message));
    }
    const summary = summaryLine(rule, r, range);
    const thread = ctx.data.thread;
    if (thread) {
      const t = chartTexts(rule, r, { cluster: ctx.data.cluster, range });
      const chart = renderCountsChart(chartInput(rule, { series: r.series, intervalMs: r.intervalMs, alerts: r.evaluation.alerts }, t.title, t.subtitle));
      const f = await ctx.deps.uploadToThread(thread, { filename: t.filename, title: t.fileTitle, bytes: chart.png, initialComment: t.initialComment, altText: t.altText });
      await ctx.setState({ chartFileId: f.id, chartBytes: chart.png.length });
    }
    for (const m of matchMessages(rule, r)) await ctx.say(mask(m));
    const table = sweepTable(r);
    if (table) await ctx.say(table);
    if (ctx.data.args.post) await ctx.say(mask(await postTest(ctx, rule, r.evaluation.alerts)));
    const alerts = r.evaluation.alerts.map((a) => ({ ts: a.ts, iso: a.iso, counts: a.counts, text: a.text === undefined ? undefined : mask(a.text), renderError: a.renderError === undefined ? undefined : mask(a.renderError) }));
    return { done: mask(summary), state: { result: { fired: alerts.length, silenced: r.evaluation.silenced.length, hits: r.hits, alerts, sweep: r.sweep?.rows } } };
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
    const mask = masker(checked.flatMap((c) => c.secretValues));
    const bad = checked.filter((c) => !c.rule);
    for (const c of bad) await ctx.say(mask(`*${esc(c.name)}*:\n${issueLines(c).join('\n')}`));
    // Valid for Elastalert, but of a type the bot cannot evaluate: said here, not found out at the backtest.
    const unsupported = checked.filter((c) => c.rule && unsupportedTypeMessage(c.rule));
    for (const c of unsupported) await ctx.say(mask(`⏭️ *${esc(c.name)}* (\`${esc(c.file)}\`) is valid, but ${esc(unsupportedTypeMessage(c.rule!)!)} It is not evaluated.`));
    const ok = checked.length - bad.length - unsupported.length;
    return {
      done: `${checked.length} rule${checked.length === 1 ? '' : 's'}: ${ok} to evaluate, ${unsupported.length} of a type the bot cannot evaluate, ${bad.length} with errors`,
      state: { valid: checked.filter((c) => c.rule).map((c) => c.file), invalid: bad.map((c) => c.file), unsupported: unsupported.map((c) => c.file) },
    };
  },
};

const backtestAll: Step<AlertTestArgs, AlertTestDeps> = {
  name: 'backtest-all',
  label: 'Evaluate every valid rule against the cluster',
  async run(ctx) {
    const { checked } = selectRules(ctx.deps, ctx.data.args);
    const mask = masker(checked.flatMap((c) => c.secretValues));
    const opts = daemonOptions(ctx);
    const now = ctx.clock.now();
    const lines: string[] = [];
    const results: Record<string, unknown>[] = [];
    for (const c of checked) {
      const where = `*${esc(c.name)}* (\`${esc(c.file)}\`)`;
      if (!c.rule) {
        lines.push(`❌ ${where}: ${c.issues.filter((i) => i.severity === 'error').length} error(s), not evaluated`);
        continue;
      }
      if (unsupportedTypeMessage(c.rule)) {
        lines.push(`⏭️ ${where}: type ${esc(c.rule.type)}, which the bot cannot evaluate; not evaluated`);
        continue;
      }
      const range = rangeFor(c.rule, ctx.data.args, now, opts.runEveryMs);
      if (typeof range === 'string') return { stop: range, reason: 'failed' };
      try {
        const r = await backtest(c.rule, ctx.deps.data(c.rule), range, undefined, opts);
        const renderErrors = r.evaluation.alerts.filter((a) => a.renderError).length;
        lines.push(`${r.evaluation.alerts.length ? '🔔' : '✅'} ${summaryLine(c.rule, r, range)}${renderErrors ? ` — ❌ ${renderErrors} alert text(s) fail to render` : ''}${range.warning ? ` — ⚠️ ${esc(range.warning)}` : ''}`);
        results.push({ file: c.file, fired: r.evaluation.alerts.length, from: range.from, to: range.to });
      } catch (e) {
        lines.push(`❌ ${where}: ${esc(mask((e as Error).message))}`);
      }
    }
    await ctx.say(mask(lines.join('\n') || 'no rules found'));
    return { done: `evaluated ${results.length} of ${checked.length} rule${checked.length === 1 ? '' : 's'}`, state: { results } };
  },
};

export function alertTestSteps(data: { args: AlertTestArgs }): Step<AlertTestArgs, AlertTestDeps>[] {
  return data.args.all ? [checkAll, backtestAll] : [checkRule, planRun, runBacktest];
}
