import { restoreSettings } from '../restore-settings';
import type { PlannedIndex, ReindexStep } from '../types';

export function restoreSettingsStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/restore-settings`,
    label: `Restore settings and aliases of ${index.name}`,
    async run(ctx) {
      return { done: `restored ${await restoreSettings(ctx, index)}` };
    },
  };
}
