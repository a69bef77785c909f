/** Slack mrkdwn needs &, < and > escaped; anything from a cluster (index names, reasons) goes through this. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The most of any user input a reply quotes back: enough to recognise it, never enough to flood a channel. */
export const ECHO_MAX = 80;

/**
 * User text quoted back in a reply (a subcommand, a flag value, an index expression, a job id): cut to `max`
 * characters, then escaped, so `<!channel>`, `<!here>`, `<@U…>`, `<#C…>` and `<!subteam^…>` show as typed
 * instead of pinging anyone, and a backtick cannot end the code span it is shown in.
 */
export function echo(text: string, max = ECHO_MAX): string {
  const chars = Array.from(text);
  const cut = chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
  return esc(cut).replace(/`/g, "'");
}

/** `echo` inside a code span: how replies show what the user typed. */
export function code(text: string, max = ECHO_MAX): string {
  return `\`${echo(text, max)}\``;
}

/** Block Kit limits: section text 3000, button text 75, header 150. Cut with an ellipsis rather than be refused. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A long text as pieces that each fit one section, cut at line ends (a single line longer than that is clipped
 * as `section` clips it): a reply of many lines — `/elk alert-test --all` over a big rules folder, a long
 * plan — arrives whole instead of cut off at 3000 characters.
 */
export function sectionPieces(text: string, max: number = LIMITS.sectionText): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (current && current.length + 1 + line.length > max) {
      pieces.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) pieces.push(current);
  return pieces;
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

/**
 * "1 node", "9 nodes", "1 index", "3 indices": every count shown to people goes through here. `many` is the
 * plural when adding an s is wrong (index → indices).
 */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
