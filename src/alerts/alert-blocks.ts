/** Block Kit for alert threads: the parent (redrawn in place as the group changes) and the coalesced replies. */
import { button, clip, context, esc, fields, LIMITS, plural, section, type Block, type Message } from '../slack/blocks/text';
import type { AlertSummary } from './alert-content';
import type { GroupState } from './alert-groups';

export const ALERT_ACTIONS = {
  ack: 'alert_ack',
  silence1h: 'alert_silence_1h',
  silence4h: 'alert_silence_4h',
  silenceResolved: 'alert_silence_resolved',
  unsilence: 'alert_unsilence',
  resolve: 'alert_resolve',
} as const;

/** Every button names the group and the episode (thread) it was drawn for, so a click on an old thread is told apart. */
export function alertButtonValue(gid: string, epi: number): string {
  return JSON.stringify({ g: gid, e: epi });
}

export function parseAlertButtonValue(v: string | undefined): { gid: string; epi: number } | undefined {
  try {
    const o = JSON.parse(v ?? '') as { g?: unknown; e?: unknown };
    return typeof o.g === 'string' && /^[0-9a-f]{20}$/.test(o.g) && Number.isInteger(o.e) ? { gid: o.g, epi: o.e as number } : undefined;
  } catch {
    return undefined;
  }
}

export const utc = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '—' : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`);

export const parentMarker = (g: Pick<GroupState, 'gid' | 'epi'>) => `ap-${g.gid}-${g.epi}`;
export const replyMarker = (g: Pick<GroupState, 'gid' | 'epi' | 'replies'>) => `ar-${g.gid}-${g.epi}-${g.replies}`;

function topText(g: GroupState, kind: string, label: string): string | undefined {
  const entries = Object.entries(g.top)
    .filter(([k]) => k.startsWith(`${kind}\t`))
    // Ties in a stable order: Redis hashes come back in any order, and a parent must not reshuffle between edits.
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!entries.length) return undefined;
  const shown = entries.slice(0, 3).map(([k, n]) => `\`${esc(k.slice(kind.length + 1)).replace(/`/g, "'")}\` ×${n}`);
  return `*${label}:* ${shown.join(', ')}${entries.length > 3 ? ` (+${entries.length - 3} more)` : ''}`;
}

function stateLine(g: GroupState, now: number): { emoji: string; text: string } {
  if (g.state === 'resolved') return { emoji: '✅', text: g.resolvedBy && g.resolvedBy !== 'quiet' ? `resolved by <@${g.resolvedBy}>` : 'resolved (quiet)' };
  if (g.silenceMode === 'resolved') return { emoji: '🔕', text: 'firing, silenced until resolved' };
  if (g.silenceMode === 'time' && g.silenceUntil > now) return { emoji: '🔕', text: `firing, silenced until ${utc(g.silenceUntil)}` };
  return { emoji: g.ackBy ? '🟠' : '🔴', text: g.reopened ? `firing again (${plural(g.reopened, 'time')})` : 'firing' };
}

export function parentMessage(g: GroupState, now: number): Message {
  const s = g.first as AlertSummary;
  const latest = g.latest as AlertSummary;
  const st = stateLine(g, now);
  const key = g.qkField ? ` · \`${esc(g.qkField)}=${esc(g.qkValue)}\`` : '';
  const title = clip(`${st.emoji} *${esc(g.rule)}*${key} — ${st.text}`, LIMITS.sectionText);
  const blocks: Block[] = [{ ...section(title), block_id: parentMarker(g) }];
  blocks.push(
    fields({
      Alerts: `${g.count}${g.silenced ? ` (${g.silenced} while silenced)` : ''}`,
      'First seen': utc(g.firstMatch ?? g.openedAt),
      'Last seen': utc(g.lastMatch ?? g.lastRecv),
      Peak: g.peak === undefined ? '—' : String(g.peak),
      ...(g.cluster ? { Cluster: esc(g.cluster) } : {}),
      Acknowledged: g.ackBy ? `<@${g.ackBy}> at ${utc(g.ackAt)}` : 'no',
    }),
  );
  const spike = latest.spike ?? s.spike;
  if (spike) {
    const parts = [`*Spike:* ${spike.current ?? '?'} now vs ${spike.reference ?? '?'} before`];
    if (spike.height !== undefined) parts.push(`height ${spike.height}×`);
    if (spike.timeframe) parts.push(`timeframe ${esc(spike.timeframe)}`);
    blocks.push(section(parts.join(' · ')));
  }
  const tops = [topText(g, 'status', 'Status codes'), topText(g, 'host', 'Top hosts'), topText(g, 'path', 'Top paths')].filter(Boolean) as string[];
  if (tops.length) blocks.push(section(tops.join('\n')));
  if (s.text) {
    // Code block: the text is Elastalert's, not mrkdwn we wrote; escaped so it pings nobody.
    const body = clip(esc(s.text).replace(/```/g, "'''"), LIMITS.sectionText - 10);
    blocks.push(section(`\`\`\`${body}\`\`\``));
    if (s.textCut || body.length < esc(s.text).length) blocks.push(context('Alert text truncated; the whole text is in Elastalert\'s log and the first match in the thread.'));
  }
  if (s.test) {
    blocks.push(context(`🧪 *TEST* alert sent by <@${esc(s.test.by)}> with \`/elk alert-test --post\` (job \`${esc(s.test.job)}\`): delivery check only, nothing is wrong; it never holds an upgrade`));
  }
  const ctx = [`thread opened ${utc(g.openedAt)}`];
  if (s.titleLink && /^https?:\/\//.test(s.titleLink)) ctx.push(`<${s.titleLink}|open in Kibana>`);
  blocks.push(context(ctx.join(' · ')));
  const v = alertButtonValue(g.gid, g.epi);
  const buttons = [];
  if (g.state === 'open') {
    if (!g.ackBy) buttons.push(button('Acknowledge', ALERT_ACTIONS.ack, v, 'primary'));
    if (g.silenceMode) buttons.push(button('Unsilence', ALERT_ACTIONS.unsilence, v));
    else buttons.push(button('Silence 1 h', ALERT_ACTIONS.silence1h, v), button('Silence 4 h', ALERT_ACTIONS.silence4h, v), button('Silence until resolved', ALERT_ACTIONS.silenceResolved, v));
    buttons.push(button('Resolve', ALERT_ACTIONS.resolve, v, 'danger'));
  }
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'alert_actions', elements: buttons });
  return { text: clip(`${st.emoji} ${g.rule}${g.qkField ? ` (${g.qkField}=${g.qkValue})` : ''}: ${st.text}, ${plural(g.count, 'alert')}`, 3000), blocks };
}

/** A superseded thread (grouping window over): final state, no buttons. */
export function supersededMessage(rule: string): Message {
  return { text: `${rule}: grouping window over, continued in a new thread`, blocks: [section(`⏭️ *${esc(rule)}* — grouping window over; later alerts are in a new thread`)] };
}

export function replyMessage(g: GroupState, notes: string[], pending: number, samples: string[]): Message {
  const blocks: Block[] = notes.map((n) => section(n));
  if (pending > 0) {
    blocks.push(section(`➕ *${plural(pending, 'more alert')}* for ${esc(g.rule)} (${g.count} in this thread)`));
    if (samples.length) blocks.push(context(`${pending > samples.length ? `newest ${samples.length}: ` : ''}${samples.map((x) => esc(x)).join('\n')}`));
  }
  blocks[0] = { ...blocks[0], block_id: replyMarker(g) };
  const text = [...notes, pending > 0 ? `${plural(pending, 'more alert')} for ${g.rule}` : ''].filter(Boolean).join('\n');
  return { text: clip(text, 3000), blocks };
}
