import type { JobKind, JobModule } from '../src/runner/types';
import { reindexJob } from './reindex';
import { upgradeJob } from './upgrade';

/** Every job kind the workers run. */
export const jobModules: Partial<Record<JobKind, JobModule<any, any>>> = {
  reindex: reindexJob,
  upgrade: upgradeJob,
};
