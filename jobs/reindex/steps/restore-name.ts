import { rebuildOriginal } from '../rebuild-original';
import type { PlannedIndex, ReindexStep } from '../types';

export function restoreNameStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/restore-name`,
    label: `Rebuild ${index.name} from ${index.temp}`,
    async run(ctx) {
      const rebuilt = await rebuildOriginal(ctx, index);
      if (!rebuilt.ok) return { stop: `rebuilding ${index.name} stopped: ${rebuilt.reason}`, reason: 'failed' };
      return { done: rebuilt.how };
    },
  };
}
