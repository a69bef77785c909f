import { code } from '../src/slack/blocks/text';

/** Elasticsearch refuses longer index names (bytes, not characters). */
const MAX_NAME_BYTES = 255;
/**
 * The whole expression goes into a URL path, the job card and every step reply: this is room for a dozen
 * long names, well under Elasticsearch's 4 KB request line and Slack's message limits.
 */
export const MAX_EXPRESSION_BYTES = 1024;

// Elasticsearch's index-name rules; `*` is allowed as a wildcard and `,` is the list separator (both handled
// before this). `:` is refused by 8.x (7.x deprecated it), `?` is not a wildcard in index expressions.
const FORBIDDEN: [RegExp, string][] = [
  [/[\s\p{Cc}]/u, 'spaces or control characters'],
  // Written as Slack mrkdwn: < and > escaped.
  [/[\\/?"<>|#:]/, '\\ / ? " &lt; &gt; | # or :'],
];

/**
 * Checks an index expression against Elasticsearch's naming rules and this bot's policy, before anything is
 * queued. Accepted: lower-case names and `*` patterns separated by `,`; an item starting with `-` after the
 * first is an exclusion (`logs-*,-logs-debug`), as Elasticsearch reads it — index names cannot start with
 * `-`, so a leading `-` on the first item (nothing to exclude from) is refused. Refused as reaching system
 * indices: `_all`, `*`, dot-names, and inclusions starting with a wildcard. Date math (`<logs-{now/d}>`) is
 * not accepted. Every message quotes at most a short, escaped part of what was typed.
 */
export function checkIndexExpression(expression: string): string | undefined {
  const bytes = Buffer.byteLength(expression);
  if (bytes > MAX_EXPRESSION_BYTES) {
    return `the index expression is ${bytes} bytes (${code(expression, 40)}); at most ${MAX_EXPRESSION_BYTES} are accepted: use a wildcard pattern, or several runs`;
  }
  const items = expression.split(',');
  for (const [i, item] of items.entries()) {
    const bad = checkItem(item, i);
    if (bad) return bad;
  }
  return undefined;
}

function checkItem(item: string, position: number): string | undefined {
  if (item === '') return 'the index expression has an empty item; separate names with single commas, without spaces, e.g. `logs-a,logs-b`';
  const exclusion = item.startsWith('-');
  if (exclusion && position === 0) {
    return `${code(item)} starts with \`-\`: index names cannot, and an exclusion needs a pattern before it, e.g. \`logs-*,-logs-debug\``;
  }
  const name = exclusion ? item.slice(1) : item;
  if (name === '' || name === '.' || name === '..') return `${code(item)} is not an index name or pattern`;
  if (name === '_all' || /^\*+$/.test(name) || name.startsWith('.') || (!exclusion && name.startsWith('*'))) {
    return `${code(item)} could match system indices; start each pattern with the index name prefix, e.g. \`logs-2024.*\``;
  }
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `${code(item, 40)} is longer than the ${MAX_NAME_BYTES} bytes Elasticsearch allows for an index name`;
  if (name !== name.toLowerCase()) return `${code(item)} has upper-case letters; Elasticsearch index names are lower-case`;
  for (const [re, what] of FORBIDDEN) {
    if (re.test(name)) return `${code(item)} is not a valid index name or pattern: no ${what}`;
  }
  if (/^[-_+]/.test(name)) return `${code(item)} is not a valid index name or pattern: a name cannot start with \`-\`, \`_\` or \`+\``;
  return undefined;
}
