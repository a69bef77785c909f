import type { JobKind, JobModule } from '../src/runner/types';
import { alertTestJob } from './alert-test';
import { reindexJob } from './reindex';
import { upgradeJob } from './upgrade';

/** Every job kind the workers run. */
export const jobModules: Partial<Record<JobKind, JobModule<any, any>>> = {
  'alert-test': alertTestJob,
  reindex: reindexJob,
  upgrade: upgradeJob,
};
