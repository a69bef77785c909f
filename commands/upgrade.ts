import type { UpgradeArgs } from '../jobs/upgrade/args';
import { parseDuration } from '../src/config/duration';
import { code, echo } from '../src/slack/blocks/text';
import { busyMessage } from './busy-message';
import { parseFlags } from './parse-flags';
import type { Command, Parsed } from './types';

export interface UpgradeCommandArgs extends UpgradeArgs {
  cluster: string;
}

const FLAGS = {
  'dry-run': 'boolean',
  only: 'string',
  target: 'string',
  node: 'string',
  order: 'string',
  'green-timeout': 'string',
  'join-timeout': 'string',
} as const;

const VERSION = /^\d+\.\d+\.\d+([-.][0-9A-Za-z.-]+)?$/;
const NODE_NAME = /^[A-Za-z0-9._-]+$/;
/** More than any cluster this bot upgrades one node at a time; a longer list is a paste gone wrong. */
const MAX_NODES = 100;

function duration(flag: string, value: string): Parsed<number> {
  try {
    const ms = parseDuration(value);
    return ms > 0 ? { ok: true, value: ms } : { ok: false, error: `\`--${flag}\` must be longer than 0` };
  } catch {
    // parseDuration's own message quotes the value whole; this one quotes it capped and escaped.
    return { ok: false, error: `\`--${flag}\`: "${echo(value)}" is not a duration; write it like 500ms, 30s, 10m, 2h or 1d` };
  }
}

export const upgradeCommand: Command<UpgradeCommandArgs> = {
  name: 'upgrade',
  usage: '/elk upgrade <cluster> [--dry-run] [--only masters|data] [--target <version>] [--node <name>[,<name>…]] [--order data-first|masters-first] [--green-timeout <dur>] [--join-timeout <dur>]',
  summary: 'Replace every Elasticsearch node whose instance is not at the target version, one at a time, waiting for the cluster to recover after each.',
  details: [
    '`--dry-run` posts the plan (node, role, instance, current → target version, order, estimated time) and the safety predicates, and changes nothing.',
    '`--only masters|data` replaces only master-eligible nodes, or only the others.',
    '`--target <version>` overrides the version read from the groups\' launch templates (the `Version` tag of their instances).',
    '`--node <name>` replaces just that node (several: comma-separated).',
    '`--order masters-first` replaces masters before data nodes; the default, data-first, is Elastic\'s documented order (older nodes cannot always join a newer master).',
    '`--green-timeout <dur>` (e.g. 45m) how long to wait for green after each node before asking; `--join-timeout <dur>` how long a replacement may take to join.',
    'Every termination asks for an approval; a blocking safety predicate is named in the thread and may be overridden once by an approver.',
  ],
  parse(words) {
    const parsed = parseFlags(words, { ...FLAGS });
    if (!parsed.ok) return parsed;
    const { positionals, flags } = parsed.value;
    if (positionals.length === 0) return { ok: false, error: 'name the cluster: `/elk upgrade <cluster>` (add `--dry-run` to see the plan first)' };
    if (positionals.length > 1) {
      const shown = positionals.slice(0, 3).map((p) => code(p)).join(', ') + (positionals.length > 3 ? ` and ${positionals.length - 3} more` : '');
      return { ok: false, error: `one cluster at a time; got ${shown}. To replace single nodes use \`--node <name>\`` };
    }
    const args: UpgradeCommandArgs = { cluster: positionals[0] };
    if (flags['dry-run']) args.dryRun = true;
    if (flags.only !== undefined) {
      if (flags.only !== 'masters' && flags.only !== 'data') return { ok: false, error: `\`--only\` takes \`masters\` or \`data\`, got ${code(String(flags.only))}` };
      args.only = flags.only;
    }
    if (flags.target !== undefined) {
      if (!VERSION.test(String(flags.target)) || String(flags.target).length > 64) return { ok: false, error: `\`--target\` needs a version like 8.15.0, got ${code(String(flags.target))}` };
      args.target = String(flags.target);
    }
    if (flags.node !== undefined) {
      const names = String(flags.node).split(',').map((n) => n.trim()).filter(Boolean);
      const bad = names.find((n) => !NODE_NAME.test(n) || n.length > 255);
      if (!names.length || bad) return { ok: false, error: `\`--node\` needs node names (letters, digits, . _ -), comma-separated${bad ? `; ${code(bad)} is not one` : ''}` };
      if (names.length > MAX_NODES) return { ok: false, error: `\`--node\` names ${names.length} nodes; at most ${MAX_NODES} at once (leave \`--node\` out to replace every stale node)` };
      args.nodes = names;
    }
    if (flags.order !== undefined) {
      if (flags.order !== 'data-first' && flags.order !== 'masters-first') return { ok: false, error: `\`--order\` takes \`data-first\` or \`masters-first\`, got ${code(String(flags.order))}` };
      args.order = flags.order;
    }
    for (const [flag, key] of [['green-timeout', 'greenTimeoutMs'], ['join-timeout', 'joinTimeoutMs']] as const) {
      if (flags[flag] === undefined) continue;
      const d = duration(flag, String(flags[flag]));
      if (!d.ok) return d;
      args[key] = d.value;
    }
    return { ok: true, value: args };
  },
  async run(ctx, { cluster, ...args }) {
    // Own keys only: `/elk upgrade constructor` must not find Object's prototype.
    const cfg = Object.hasOwn(ctx.config.clusters, cluster) ? ctx.config.clusters[cluster] : undefined;
    if (!cfg) return { text: `no cluster ${code(cluster)} in the configuration; known clusters: ${Object.keys(ctx.config.clusters).map((c) => `\`${c}\``).join(', ')}` };
    if (!cfg.aws) return { text: `cluster ${code(cluster)} has no \`aws\` section in the configuration, so its instances cannot be replaced` };
    const r = await ctx.enqueue('upgrade', cluster, args);
    if (r.busyWith) return { text: busyMessage('upgrade', cluster, r) };
    const what = args.dryRun ? 'Upgrade plan (dry run) queued' : 'Upgrade queued';
    return { text: `${what} for \`${cluster}\` as job ${r.jobId}: the plan and every step follow in the cluster's ops channel thread${args.dryRun ? '' : '; each termination waits for an approval'}.` };
  },
};
