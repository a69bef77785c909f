/** Slack mrkdwn needs &, < and > escaped; anything from a cluster (index names, reasons) goes through this. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Block Kit limits: section text 3000, button text 75, header 150. Cut with an ellipsis rather than be refused. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const LIMITS = { sectionText: 3000, buttonText: 75, header: 150, blocks: 50, field: 2000, contextText: 3000 } as const;

export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
}

export function context(text: string) {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, LIMITS.contextText) }] };
}

export function fields(pairs: Record<string, string>): SectionBlock {
  return {
    type: 'section',
    fields: Object.entries(pairs)
      .slice(0, 10)
      .map(([k, v]) => ({ type: 'mrkdwn', text: clip(`*${esc(k)}*\n${v}`, LIMITS.field) })),
  };
}

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger') {
  return { type: 'button', text: { type: 'plain_text', text: clip(text, LIMITS.buttonText) }, action_id: actionId, value, ...(style ? { style } : {}) };
}

export interface SectionBlock {
  type: 'section';
  text?: { type: 'mrkdwn'; text: string };
  fields?: { type: 'mrkdwn'; text: string }[];
}

// Loose on purpose: the emulator checks Block Kit limits on every message in tests.
export type Block = object;

export interface Message {
  text: string;
  blocks: Block[];
}

/** "1 node", "9 nodes". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
