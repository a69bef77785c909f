import type { JobData } from '../../src/runner/types';
import { planOf } from './state';
import { approveRunStep } from './steps/approve-run';
import { blockWritesStep } from './steps/block-writes';
import { createTempStep } from './steps/create-temp';
import { deleteSourceStep } from './steps/delete-source';
import { deleteTempStep } from './steps/delete-temp';
import { followCopyStep } from './steps/follow-copy';
import { planStep } from './steps/plan-run';
import { restoreNameStep } from './steps/restore-name';
import { restoreSettingsStep } from './steps/restore-settings';
import { startCopyStep } from './steps/start-copy';
import { verifyCopyStep } from './steps/verify-copy';
import { verifyRestoreStep } from './steps/verify-restore';
import type { PlannedIndex, ReindexArgs, ReindexStep } from './types';

export const indexSteps = (index: PlannedIndex): ReindexStep[] => [
  blockWritesStep(index),
  createTempStep(index),
  startCopyStep(index),
  followCopyStep(index),
  verifyCopyStep(index),
  deleteSourceStep(index),
  restoreNameStep(index),
  verifyRestoreStep(index),
  restoreSettingsStep(index),
  deleteTempStep(index),
];

/**
 * The plan first; once it is recorded, one approval and then every index in turn. Indices run one at a time:
 * each index's steps are recorded before the next index starts, so at most one index is ever without its
 * original name.
 */
export function reindexSteps(data: JobData<ReindexArgs>): ReindexStep[] {
  const plan = planOf(data.state);
  if (!plan || data.args.dryRun || plan.indices.length === 0) return [planStep];
  return [planStep, approveRunStep, ...plan.indices.flatMap(indexSteps)];
}
