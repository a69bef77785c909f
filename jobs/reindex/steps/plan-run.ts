import { checkExpression } from '../expression';
import { ownerToken } from '../owner-token';
import { bytes, counted, n, took } from '../format';
import { plural } from '../../../src/slack/blocks/text';
import type { IndexFacts } from '../port';
import { newestOfSeries, seriesOf } from '../time-series';
import type { Plan, PlannedIndex, ReindexCtx, ReindexStep, RestoreVia } from '../types';

/** Resolves the expression, refuses what must not be rebuilt (with the reason), and posts the plan. */
export const planStep: ReindexStep = {
  name: 'plan',
  label: 'Plan the reindex',
  async run(ctx) {
    const { args } = ctx.data;
    const { es, settings } = ctx.deps;
    const bad = checkExpression(args.expression);
    if (bad) return { stop: bad, reason: 'failed' };
    const version = await es.clusterVersion();
    const restoreVia = restoreFor(args.restoreVia ?? settings.restoreVia, version);
    const matched = await es.resolve(args.expression);
    if (matched.length === 0) return { stop: `\`${args.expression}\` matches no index on ${ctx.data.cluster}`, reason: 'failed' };
    const max = args.maxIndices ?? settings.maxIndices;
    if (matched.length > max) {
      return {
        stop: `\`${args.expression}\` matches ${plural(matched.length, 'index', 'indices')}, more than reindex.maxIndices (${max}); narrow the expression or add \`--max-indices ${matched.length}\``,
        reason: 'failed',
      };
    }
    const refused: Plan['refused'] = [];
    const candidates: PlannedIndex[] = [];
    for (const facts of matched.sort((a, b) => a.name.localeCompare(b.name))) {
      const reason = await refusal(ctx, facts);
      if (reason) refused.push({ name: facts.name, reason });
      else candidates.push({ name: facts.name, temp: `${facts.name}${args.suffix ?? settings.suffix}`, docs: facts.docs, bytes: facts.bytes, shards: facts.shards, replicas: facts.replicas, health: facts.health });
    }
    const quiet = await stillReceiving(ctx, candidates.map((c) => c.name));
    const indices: PlannedIndex[] = [];
    for (const c of candidates) {
      if (quiet.has(c.name)) {
        refused.push({ name: c.name, reason: quiet.get(c.name)! });
        continue;
      }
      const template = await es.templateFor(c.name);
      if (!template.name) {
        refused.push({ name: c.name, reason: 'no index template matches it, so a rebuild would not change its mappings' });
        continue;
      }
      indices.push({ ...c, template: template.name });
    }
    const plan: Plan = {
      indices,
      refused,
      totalDocs: indices.reduce((s, i) => s + i.docs, 0),
      totalBytes: indices.reduce((s, i) => s + i.bytes, 0),
      restoreVia,
      version,
    };
    const text = planText(ctx, plan);
    if (indices.length === 0) return { stop: `nothing to reindex.\n${text}`, reason: 'failed', state: { plan } };
    // No time estimate yet: nothing on the cluster says how fast a _reindex copies here. The first copy measures
    // it, and its step posts the estimate and records it for the card's ETA (measured-estimate.ts).
    return { done: args.dryRun ? `${text}\nDry run: nothing was changed.` : text, state: { plan } };
  },
};

function restoreFor(choice: 'auto' | RestoreVia, version: string): Plan['restoreVia'] {
  if (choice !== 'auto') return choice;
  const [major, minor] = version.split('.').map(Number);
  // _clone exists since 7.4.
  return major > 7 || (major === 7 && minor >= 4) ? 'auto' : 'reindex';
}

export const RESTORE_TEXT: Record<Plan['restoreVia'], string> = {
  clone: '`_clone` of the write-blocked copy',
  reindex: 'a second verified `_reindex`',
  auto: "`_clone` of the write-blocked copy or a second verified `_reindex`, per index, whichever its first copy's time and the recovery throttle say is quicker",
};

async function refusal(ctx: ReindexCtx, f: IndexFacts): Promise<string | undefined> {
  const { es } = ctx.deps;
  if (f.system || f.name.startsWith('.')) return 'system index';
  if (f.hidden) return 'hidden index';
  if (f.status && f.status !== 'open') return `index is ${f.status}`;
  if (f.health !== 'green') return `health is ${f.health ?? 'unknown'}, not green`;
  const owner = await es.ownerOf(f.name);
  if (owner) return `made by elk-ops job ${owner} (a temporary copy or an unfinished rebuild); finish or clean up that job first`;
  for (const a of await es.aliasesOf(f.name)) {
    if (a.isWriteIndex) return `write index of alias ${a.alias}`;
    if (a.isWriteIndex === undefined && a.soleMember) return `only index of alias ${a.alias}, so its write target`;
  }
  const series = seriesOf(f.name);
  if (series) {
    const newest = newestOfSeries(f.name, await es.listNames(`${series.prefix}*`));
    if (newest === f.name) return `newest index of the time series ${series.prefix}*, where new documents go`;
  }
  const temp = `${f.name}${ctx.data.args.suffix ?? ctx.deps.settings.suffix}`;
  if (await es.exists(temp)) {
    const tOwner = await es.ownerOf(temp);
    if (tOwner !== ownerToken(ctx)) return `${temp} already exists and was not made by this job; delete or rename it, or pick another --suffix`;
  }
  return undefined;
}

/** Samples counts over the quiet period: an index whose count moves is still being written to. */
async function stillReceiving(ctx: ReindexCtx, names: string[]): Promise<Map<string, string>> {
  const { es, settings } = ctx.deps;
  const moving = new Map<string, string>();
  if (names.length === 0) return moving;
  const sample = async () => {
    const out = new Map<string, number>();
    for (const name of names) {
      await es.refresh(name);
      // Two reads, the larger kept: behind a load balancer one of them may come from a lagging copy.
      out.set(name, Math.max((await es.count(name)).count, (await es.count(name)).count));
    }
    return out;
  };
  const first = await sample();
  let last = first;
  for (let i = 0; i < 2; i++) {
    await ctx.clock.sleep(settings.quietPeriod / 2, ctx.signal);
    last = await sample();
    for (const name of names) {
      if (last.get(name) !== first.get(name) && !moving.has(name)) {
        moving.set(name, `still receiving documents (${n(first.get(name)!)} → ${n(last.get(name)!)} within ${took(settings.quietPeriod)})`);
      }
    }
  }
  return moving;
}

function planText(ctx: ReindexCtx, plan: Plan): string {
  const lines = [`Plan for \`${ctx.data.args.expression}\` on ${ctx.data.cluster} (Elasticsearch ${plan.version}):`];
  for (const i of plan.indices) {
    lines.push(`• ${i.name}: ${counted(i.docs, 'doc')}, ${bytes(i.bytes)}, ${i.health} — mappings from template ${i.template}, via ${i.temp}`);
  }
  for (const r of plan.refused) lines.push(`✗ ${r.name}: refused — ${r.reason}`);
  // A plan with nothing to reindex promises no estimate; a dry run never times a copy.
  const estimate =
    plan.indices.length === 0
      ? ''
      : ctx.data.args.dryRun
        ? 'No time estimate: how fast this cluster copies is only known once a real run has timed its first copy.'
        : 'Estimated time: posted when the first copy is done, from its measured rate (nothing on the cluster says it before).';
  lines.push(
    [
      `Total: ${plural(plan.indices.length, 'index', 'indices')}, ${counted(plan.totalDocs, 'doc')}, ${bytes(plan.totalBytes)}.`,
      `Original names rebuilt with ${RESTORE_TEXT[plan.restoreVia]}.`,
      estimate,
    ]
      .filter(Boolean)
      .join(' '),
  );
  return lines.join('\n');
}
