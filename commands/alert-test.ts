import type { AlertTestArgs } from '../jobs/alert-test/types';
import { checkTime } from '../jobs/alert-test/time-arg';
import { parseSweep } from '../src/rules/sweep';
import { code, esc } from '../src/slack/blocks/text';
import { parseFlags } from './parse-flags';
import type { Command, Parsed } from './types';

export interface AlertTestCommandArgs extends Omit<AlertTestArgs, 'env'> {
  /** Absent: the cluster's name (the usual naming of elastalert.values environments). */
  env?: string;
  cluster?: string;
}

const FLAGS = { env: 'string', cluster: 'string', from: 'string', to: 'string', days: 'number', sweep: 'string', post: 'boolean', all: 'boolean' } as const;

/** Pure: the words after `alert-test` → arguments, or what is wrong and how to fix it. */
export function parseAlertTest(words: string[]): Parsed<AlertTestCommandArgs> {
  const parsed = parseFlags(words, FLAGS);
  if (!parsed.ok) return parsed;
  const { positionals, flags } = parsed.value;
  const all = flags.all === true;
  if (all && positionals.length) return { ok: false, error: `give a rule name or \`--all\`, not both (got ${code(positionals.join(' '))} and --all)` };
  if (!all && positionals.length !== 1) {
    return { ok: false, error: positionals.length ? `give one rule, got ${positionals.length}: ${code(positionals.join(' '))}` : 'give a rule name or file, e.g. `/elk alert-test general-spike-5xxs`, or `--all`' };
  }
  const args: AlertTestCommandArgs = all ? { all: true } : { rule: positionals[0] };
  if (args.rule !== undefined && !/^[\w .\-/]{1,200}$/.test(args.rule)) return { ok: false, error: `rule ${code(args.rule)} is not a rule name or file name (letters, digits, spaces, . - _ /)` };
  for (const k of ['env', 'cluster'] as const) {
    if (flags[k] === undefined) continue;
    const v = String(flags[k]);
    if (!/^[\w.-]{1,64}$/.test(v)) return { ok: false, error: `\`--${k}\` takes a name (letters, digits, . - _), got ${code(v)}` };
    args[k] = v;
  }
  if ((flags.from === undefined) !== (flags.to === undefined)) return { ok: false, error: 'give both `--from` and `--to`, or neither (then the range is planned so the rule can fire)' };
  if (flags.from !== undefined && flags.days !== undefined) return { ok: false, error: 'give `--from`/`--to` or `--days`, not both' };
  for (const k of ['from', 'to'] as const) {
    if (flags[k] === undefined) continue;
    const v = String(flags[k]);
    const bad = checkTime(v);
    if (bad) return { ok: false, error: `\`--${k}\` ${code(v)}: ${bad}` };
    args[k] = v;
  }
  if (flags.days !== undefined) {
    const d = Number(flags.days);
    if (d > 90) return { ok: false, error: `\`--days\` at most 90 (got ${d}); a longer backtest reads too much of the cluster` };
    args.days = d;
  }
  if (flags.sweep !== undefined) {
    if (all) return { ok: false, error: '`--sweep` works on one rule; drop `--all`' };
    try {
      parseSweep(String(flags.sweep));
    } catch (e) {
      return { ok: false, error: esc((e as Error).message) };
    }
    args.sweep = String(flags.sweep);
  }
  if (flags.post === true) {
    // One TEST alert goes through delivery per test; for every rule at once that would be a flood of them.
    if (all) return { ok: false, error: '`--post` sends one TEST alert for one rule; drop `--all` and name the rule, e.g. `/elk alert-test general-spike-5xxs --post`' };
    args.post = true;
  }
  return { ok: true, value: args };
}

export const alertTestCommand: Command<AlertTestCommandArgs> = {
  name: 'alert-test',
  usage: '/elk alert-test <rule> [--env <name>] [--cluster <c>] [--from <t> --to <t> | --days N] [--sweep spike_height=1.5..4] [--post]  ·  /elk alert-test --all [--env <name>]',
  summary: 'Validate an Elastalert rule and backtest it against the cluster: when it would have fired, with what counts and text.',
  details: [
    'The rule is loaded from `elastalert.rulesDir` with the `@@placeholders@@` of `elastalert.values.<env>` (default env: the cluster name), and validated as Elastalert does, plus typos and alert_text fields the args cannot fill.',
    'Without `--from`/`--to` or `--days` the range is long enough for the rule type to fire (3 timeframes for spike). Times: ISO (`2024-01-01T10:00:00Z`) or `now-6h`.',
    '`--sweep key=from..to[:step]` counts firings per value of one option. `--all` validates and evaluates every rule, one line each, over `--from`/`--to` or `--days` when given (not with `--sweep` or `--post`). Read-only: nothing is written to the cluster.',
    'The daemon settings the rules are evaluated with (run_every, buffer_time) are `elastalert.daemon.<env>` in the config.',
  ],
  parse: parseAlertTest,
  async run(ctx, { cluster: wanted, env: envFlag, ...rest }) {
    const known = Object.keys(ctx.config.clusters);
    const envs = Object.keys(ctx.config.elastalert.values);
    // Default cluster: the one named like the env, else the only one configured.
    const cluster = wanted ?? (envFlag && known.includes(envFlag) ? envFlag : known.length === 1 ? known[0] : undefined);
    if (!cluster) return { text: `Say which cluster to test against: \`--cluster <name>\`; known clusters: ${known.map((c) => `\`${c}\``).join(', ')}.` };
    if (!known.includes(cluster)) return { text: `Unknown cluster ${code(cluster)}; known clusters: ${known.map((c) => `\`${c}\``).join(', ')}.` };
    const env = envFlag ?? cluster;
    if (envFlag && !envs.includes(envFlag) && !known.includes(envFlag)) {
      return { text: `No placeholder values for environment ${code(envFlag)}: add \`elastalert.values.${esc(envFlag)}\` to the config, or use one of ${envs.map((e) => `\`${e}\``).join(', ') || '(none configured)'}.` };
    }
    const args: AlertTestArgs = { ...rest, env };
    const res = await ctx.enqueue('alert-test', cluster, args);
    if (res.busyWith) return { text: `An alert test is already queued or running as job ${res.busyWith}; \`/elk status ${res.busyWith}\` shows it.` };
    const what = args.all ? 'every rule' : code(args.rule!);
    return { text: `Alert test of ${what} on ${cluster} (values: ${esc(env)}) queued as \`${res.jobId}\`. Results will be posted in the job thread in <#${ctx.config.clusters[cluster].opsChannel}>; nothing is written to the cluster.` };
  },
};
