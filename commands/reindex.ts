import { checkExpression, checkSuffix } from '../jobs/reindex/expression';
import type { ReindexArgs } from '../jobs/reindex/types';
import { clip, code, esc } from '../src/slack/blocks/text';
import { busyMessage } from './busy-message';
import { checkIndexExpression } from './index-expression';
import { parseFlags } from './parse-flags';
import type { Command } from './types';

export interface ReindexCommandArgs extends ReindexArgs {
  cluster: string;
}

const FLAGS = { 'dry-run': 'boolean', slices: 'string', rps: 'number', suffix: 'string', 'max-indices': 'number', restore: 'string' } as const;

export const reindexCommand: Command<ReindexCommandArgs> = {
  name: 'reindex',
  usage: '/elk reindex <cluster> <index-expression> [--dry-run] [--slices auto|N] [--rps N] [--suffix -r] [--max-indices N] [--restore clone|reindex]',
  summary: 'Rebuild old indices under their template’s current mappings, keeping their names, verified so no document is lost.',
  details: [
    'Expressions: names, comma lists, wildcards and exclusions as Elasticsearch resolves them (`logs-2024.01.*,-logs-2024.01.31`). Patterns must start with a name prefix: `*`, `_all` and dot-indices are refused. Names follow Elasticsearch\'s rules (lower-case, at most 255 bytes, none of \\ / ? " &lt; &gt; | # : or spaces, not starting with `_` or `+`); a later item starting with `-` is an exclusion; 1024 bytes in all.',
    'Refused (listed in the plan with the reason): system or hidden indices, indices that are not green, write indices of an alias, the newest index of a time series, indices still receiving documents, and expressions matching more than reindex.maxIndices.',
    '`--dry-run` posts the plan and stops. `--slices auto|N` and `--rps N` are passed to _reindex. `--suffix` names the temporary copy (default from config, `-r`). `--max-indices N` raises the configured maximum for this run. `--restore clone|reindex` picks how the original name is rebuilt (default: _clone where the cluster supports it).',
    'One approval starts the run; each source deletion is approved separately, showing the verified count of its copy.',
  ],
  parse(words) {
    const parsed = parseFlags(words, FLAGS);
    if (!parsed.ok) return parsed;
    const { positionals, flags } = parsed.value;
    if (positionals.length !== 2) {
      return { ok: false, error: 'give a cluster and an index expression, e.g. `/elk reindex prod logstash-2024.01.*`' };
    }
    const [cluster, expression] = positionals;
    const bad = checkIndexExpression(expression);
    if (bad) return { ok: false, error: bad };
    // The job's own check (it runs again in the plan step) as a backstop; its wording quotes the item whole.
    const policy = checkExpression(expression);
    if (policy) return { ok: false, error: esc(clip(policy, 200)) };
    const args: ReindexCommandArgs = { cluster, expression, dryRun: flags['dry-run'] === true };
    if (flags.slices !== undefined) {
      const s = String(flags.slices);
      if (s !== 'auto' && !/^[1-9]\d*$/.test(s)) return { ok: false, error: `\`--slices\` takes \`auto\` or a whole number, got ${code(s)}` };
      args.slices = s === 'auto' ? 'auto' : Number(s);
    }
    if (flags.rps !== undefined) args.rps = Number(flags.rps);
    if (flags.suffix !== undefined) {
      if (checkSuffix(String(flags.suffix)) || String(flags.suffix).length > 32) {
        return { ok: false, error: `suffix ${code(String(flags.suffix))} must be up to 32 lower-case letters, digits, \`-\`, \`_\` or \`.\`, e.g. \`-r\`` };
      }
      args.suffix = String(flags.suffix);
    }
    if (flags['max-indices'] !== undefined) {
      const m = Number(flags['max-indices']);
      if (!Number.isInteger(m)) return { ok: false, error: `\`--max-indices\` takes a whole number, got ${code(String(m))}` };
      args.maxIndices = m;
    }
    if (flags.restore !== undefined) {
      if (flags.restore !== 'clone' && flags.restore !== 'reindex') {
        return { ok: false, error: `\`--restore\` takes \`clone\` or \`reindex\`, got ${code(String(flags.restore))}` };
      }
      args.restoreVia = flags.restore;
    }
    return { ok: true, value: args };
  },
  async run(ctx, { cluster, ...args }) {
    const known = Object.keys(ctx.config.clusters);
    if (!known.includes(cluster)) return { text: `Unknown cluster ${code(cluster)}; known clusters: ${known.map((c) => `\`${c}\``).join(', ')}.` };
    const res = await ctx.enqueue('reindex', cluster, args);
    if (res.busyWith) return { text: `${busyMessage('reindex', cluster, res)}.` };
    const what = args.dryRun ? 'Dry run of reindex' : 'Reindex';
    return { text: `${what} of ${code(args.expression)} on ${cluster} queued as \`${res.jobId}\`. The plan will be posted in the job thread in <#${ctx.config.clusters[cluster].opsChannel}>${args.dryRun ? '; nothing will be changed' : ' and waits for an approval'}.` };
  },
};
