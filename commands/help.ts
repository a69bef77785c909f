import type { Command } from './types';

/** Lists every subcommand with its usage; built from the same registry the router uses, so it cannot drift. */
export function helpCommand(all: () => Command<any>[]): Command<void> {
  return {
    name: 'help',
    usage: '/elk help',
    summary: 'Show this help.',
    parse: () => ({ ok: true, value: undefined }),
    run: async () => {
      const lines = all().flatMap((c) => [`• \`${c.usage}\` — ${c.summary}`, ...(c.details ?? []).map((d) => `    ${d}`)]);
      return {
        text: [
          '*elk-ops* runs long, careful operations on your Elasticsearch clusters and reports every step in a thread.',
          ...lines,
          'Destructive steps wait for an Approve click from an approver; no decision in time means *rejected*.',
        ].join('\n'),
      };
    },
  };
}
