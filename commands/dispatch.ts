import type { Config } from '../src/config/schema';
import { code } from '../src/slack/blocks/text';
import { splitWords } from './parse-flags';
import type { Command, CommandContext, Reply } from './types';

/** Commands anyone may run when access.commands does not mention them; everything else must be granted. */
const OPEN_BY_DEFAULT = new Set(['help', 'status', 'cancel']);

function allowed(list: string[], id: string): boolean {
  return list.includes('*') || list.includes(id);
}

/** Is `user` in `channel` allowed to run `name`? Returns the reason when not. */
export function authorise(config: Config, name: string, user: string, channel: string): string | undefined {
  const rule = config.access.commands[name];
  if (!rule) {
    return OPEN_BY_DEFAULT.has(name) ? undefined : `\`/elk ${name}\` is not enabled: add \`access.commands.${name}\` to the elk-ops config`;
  }
  if (!allowed(rule.users, user)) return `you are not allowed to run \`/elk ${name}\`; ask an admin to add you to \`access.commands.${name}.users\``;
  if (!allowed(rule.channels, channel)) {
    const where = rule.channels.map((c) => `<#${c}>`).join(', ');
    return `\`/elk ${name}\` cannot be run in this channel; use ${where}`;
  }
  return undefined;
}

function closest(word: string, names: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0];
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = d[j];
        d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return d[b.length];
  };
  const best = names.map((n) => ({ n, d: dist(word, n) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 2 ? best.n : undefined;
}

/** Route `/elk <text>`: parse (pure), authorise, then let the subcommand validate, enqueue and reply. */
export async function dispatch(commands: Command<any>[], text: string, ctx: CommandContext): Promise<Reply> {
  const [sub = 'help', ...rest] = splitWords(text.trim());
  const command = commands.find((c) => c.name === sub.toLowerCase());
  if (!command) {
    // Only a word of about a subcommand's length can be a typo of one (and the distance is quadratic).
    const guess = sub.length <= 20 ? closest(sub.toLowerCase(), commands.map((c) => c.name)) : undefined;
    return { text: `Unknown subcommand ${code(sub)}.${guess ? ` Did you mean \`/elk ${guess}\`?` : ''} Try \`/elk help\`.` };
  }
  const denied = authorise(ctx.config, command.name, ctx.user, ctx.channel);
  if (denied) return { text: `⛔ Not allowed: ${denied}.` };
  const parsed = command.parse(rest);
  if (!parsed.ok) return { text: `⚠️ ${parsed.error}.\nUsage: \`${command.usage}\`` };
  return command.run(ctx, parsed.value);
}
