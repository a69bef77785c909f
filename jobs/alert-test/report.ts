/** Thread texts for a backtest: matches with their counts, the alert text as Elastalert renders it, sweeps. */
import { formatDuration } from '../../src/config/duration';
import { maskSecrets, summarize, type Alert, type RuleConfig } from '../../src/rules';
import { clip, esc } from '../../src/slack/blocks/text';
import type { BacktestResult } from './backtest';

const MAX_MATCHES_SHOWN = 10;
/** Well under Slack's 40k text limit and Block Kit's 3000 per section; the thread stays readable. */
const MAX_TEXT = 3500;

function countsText(a: Alert): string {
  const parts = Object.entries(a.counts).filter(([k]) => k !== 'num_matches').map(([k, v]) => `${k} ${v}`);
  return parts.join(', ') || 'no counts';
}

/** A code block: Slack shows its text as typed, apart from &, < and > which must be escaped. */
function block(text: string): string {
  return '```' + esc(text.replace(/```/g, "'''")) + '```';
}

export function matchMessages(rule: RuleConfig, r: BacktestResult): string[] {
  const mask = (s: string) => maskSecrets(s, rule.secretValues);
  const out: string[] = [];
  r.evaluation.alerts.slice(0, MAX_MATCHES_SHOWN).forEach((a, i) => {
    const head = `*Match ${i + 1}* at \`${a.iso}\`${a.key !== 'all' ? ` (query_key ${esc(a.key)})` : ''}: ${countsText(a)}; alerted by the run ending ${new Date(a.alertedAt).toISOString()}`;
    const body = a.text !== undefined ? `Alert text, exactly as Elastalert renders it:\n${block(clip(mask(a.text), MAX_TEXT))}` : `❌ ${esc(mask(a.renderError ?? 'no text'))}`;
    out.push(`${head}\n${body}`);
  });
  const more = r.evaluation.alerts.length - MAX_MATCHES_SHOWN;
  if (more > 0) out.push(`… and ${more} more match${more === 1 ? '' : 'es'} (narrow the range with --from/--to to see them)`);
  return out;
}

export function summaryLine(rule: RuleConfig, r: BacktestResult, range: { from: number; to: number }): string {
  const name = maskSecrets(rule.name, rule.secretValues);
  return `*${esc(name)}* ${summarize(r.evaluation, range)}; ${r.hits} matching document${r.hits === 1 ? '' : 's'} read in ${r.evaluation.runs} run${r.evaluation.runs === 1 ? '' : 's'}`;
}

/** Every text of the chart upload (drawn into the image, or shown beside it), masked like the rest of the thread. */
export function chartTexts(rule: RuleConfig, r: BacktestResult, o: { cluster: string; range: { from: number; to: number } }) {
  const mask = (t: string) => maskSecrets(t, rule.secretValues);
  const name = mask(rule.name);
  const n = r.evaluation.alerts.length;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  const per = formatDuration(r.intervalMs);
  return {
    title: `${name}: ${n} firing${n === 1 ? '' : 's'}`,
    subtitle: mask(`${o.cluster} · ${String(rule.props.index)} · ${iso(o.range.from)} → ${iso(o.range.to)} UTC`),
    filename: mask(`alert-test-${rule.file.replace(/[^\w.-]+/g, '_').replace(/\.ya?ml$/, '')}.png`),
    fileTitle: `${name}: matching documents per ${per}`,
    initialComment: `Matching documents per ${per} (the counts the evaluation read), with the rule's thresholds and its matches`,
    altText: `Bar chart of matching documents per ${per} for ${name}; ${n} match(es)`,
  };
}

export function sweepTable(r: BacktestResult): string | undefined {
  if (!r.sweep) return undefined;
  const rows = r.sweep.rows.map((row) => `${String(row.value).padStart(8)}  ${String(row.firings).padStart(7)}  ${String(row.silenced).padStart(8)}`);
  return `Sweep of \`${r.sweep.key}\` over the same data:\n\`\`\`${'value'.padStart(8)}  firings  silenced\n${rows.join('\n')}\`\`\``;
}
