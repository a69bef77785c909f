import { plural } from '../../../src/slack/blocks/text';
import { progressOf, saveProgress } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';

/** Blocks writes on the source, after recording what must be put back on the rebuilt index. */
export function blockWritesStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/block-writes`,
    label: `Block writes on ${index.name}`,
    async run(ctx) {
      const { es } = ctx.deps;
      let saved = progressOf(ctx.state, index.name).saved;
      // Read once, before the block: after a resume the block is ours and must not be mistaken for the original.
      if (!saved) {
        const s = await es.settingsOf(index.name);
        const aliases = await es.aliasesOf(index.name);
        saved = { ...s, aliases: aliases.map(({ soleMember: _, ...a }) => a) };
        await saveProgress(ctx, index.name, { saved });
      }
      await es.setWriteBlock(index.name, true);
      const aliasText = saved.aliases.length ? saved.aliases.map((a) => a.alias).join(', ') : 'none';
      return {
        done: `${index.name} is write-blocked; saved: ${plural(saved.shards, 'shard')}, ${plural(saved.replicas, 'replica')}, refresh ${saved.refreshInterval ?? 'default'}, aliases ${aliasText}`,
      };
    },
  };
}
