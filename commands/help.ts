import { formatDuration } from '../src/config/duration';
import { code } from '../src/slack/blocks/text';
import type { Command } from './types';

/** "/elk upgrade <cluster>": a command's usage without its optional flags (those are in `/elk help <command>`). */
function shortUsage(c: Command<any>): string {
  const cut = c.usage.indexOf(' [');
  return (cut < 0 ? c.usage : c.usage.slice(0, cut)).split('  ·  ')[0];
}

/**
 * `/elk help` leads with three things to type (on a cluster that exists here) and the configured clusters;
 * each command's flags are one step away, in `/elk help <command>`. Built from the same registry the router
 * uses, so it cannot drift.
 */
export function helpCommand(all: () => Command<any>[]): Command<string | undefined> {
  return {
    name: 'help',
    usage: '/elk help [command]',
    summary: 'Show what you can type; `/elk help <command>` shows that command\'s flags.',
    parse: (words) => ({ ok: true, value: words[0]?.toLowerCase() }),
    run: async (ctx, name) => {
      const commands = all();
      if (name) {
        const c = commands.find((x) => x.name === name);
        if (!c) return { text: `No command ${code(name)}. Commands: ${commands.map((x) => `\`${x.name}\``).join(', ')}.` };
        return { text: [`*\`${c.usage}\`*`, c.summary, ...(c.details ?? []).map((d) => `• ${d}`)].join('\n') };
      }
      const clusters = Object.entries(ctx.config.clusters);
      const first = clusters[0]?.[0] ?? 'prod';
      const has = (n: string) => commands.some((c) => c.name === n);
      const examples = [
        has('upgrade') ? `\`/elk upgrade ${first} --dry-run\` — the upgrade plan and an estimate; changes nothing` : '',
        has('reindex') ? `\`/elk reindex ${first} logs-2024.01.*\` — rebuild those indices under their current template, verified` : '',
        has('status') ? '`/elk status` — what runs now and how recent runs ended' : '',
      ].filter(Boolean);
      const { approvers, approverGroup, approvalTimeout } = ctx.config.access;
      const who = [approverGroup ? `<!subteam^${approverGroup}>` : '', ...approvers.filter((a) => a !== '*').map((a) => `<@${a}>`)].filter(Boolean).join(', ');
      return {
        text: [
          '*elk-ops* runs long, careful operations on your Elasticsearch clusters and reports every step in a thread.',
          ...(examples.length ? ['*Try:*', ...examples.map((e) => `• ${e}`)] : []),
          `*Clusters:* ${clusters.map(([n, c]) => `\`${n}\` (threads in <#${c.opsChannel}>)`).join(', ')}`,
          '*Commands* — `/elk help <command>` shows its flags:',
          ...commands.map((c) => `• \`${shortUsage(c)}\` — ${c.summary}`),
          `Destructive steps wait for an approver's click${who ? ` (${who})` : ''}; no decision within ${formatDuration(approvalTimeout)} means *rejected*.`,
        ].join('\n'),
      };
    },
  };
}
