/**
 * The "what moved" reply: one section per field ("api-3: 4 → 57 (+53)") and the Discover link, inside Block
 * Kit's limits (a few blocks; every value from the cluster escaped and cut, so a long path cannot break a post).
 */
import { clip, context, esc, LIMITS, section, type Block } from '../slack/blocks/text';
import type { Breakdown, Moved } from './alert-breakdown';

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const span = (w: { from: number; to: number }) => `${hhmm(w.from)}–${hhmm(w.to)}`;
/** `host.keyword` is how a dynamically mapped `host` is aggregated; people call it host. */
const label = (field: string) => field.replace(/\.keyword$/, '');
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export const movedLine = (m: Moved) => `${esc(clip(m.key, 80))}: ${m.reference} → ${m.current} (${signed(m.current - m.reference)})`;

export function breakdownMessage(b: Breakdown, cluster: string, discover?: { url: string; exact: boolean }): { text: string; blocks: Block[] } {
  const head = `📊 *What moved* on ${esc(cluster)}: ${b.totals.reference} → ${b.totals.current} matching events (reference ${span(b.reference)} vs current ${span(b.current)} UTC)`;
  const blocks: Block[] = [section(head)];
  for (const f of b.fields) {
    const lines = f.moved.length ? f.moved.map((m) => `• ${movedLine(m)}`).join('\n') : '_no change_';
    blocks.push(section(clip(`*${esc(label(f.field))}*\n${lines}`, LIMITS.sectionText)));
  }
  if (discover) {
    const caveat = discover.exact ? '' : ' (part of the rule\'s filter has no Lucene form: the link may show more documents)';
    blocks.push(context(`<${discover.url}|Open in Kibana Discover> for ${span(b.reference)}–${hhmm(b.current.to)} UTC with the rule's query${caveat}`));
  }
  const text = [head.replace(/\*/g, ''), ...b.fields.map((f) => `${label(f.field)}: ${f.moved.map(movedLine).join(', ') || 'no change'}`)].join('\n');
  return { text: clip(text, 3000), blocks };
}
