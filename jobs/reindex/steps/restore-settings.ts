import { greenBeforeDelete } from '../green-before-delete';
import { restoreSettings } from '../restore-settings';
import type { PlannedIndex, ReindexStep } from '../types';

export function restoreSettingsStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/restore-settings`,
    label: `Restore settings and aliases of ${index.name}`,
    async run(ctx) {
      const restored = await restoreSettings(ctx, index);
      // The replica count is the source's again only now: green before this point would mean fewer copies.
      return { done: `restored ${restored}; ${await greenBeforeDelete(ctx, index, index.name)}` };
    },
  };
}
