import { commands } from '../commands';
import { jobModules } from '../jobs/registry';
import { runMain } from './run-main';

await runMain(process.argv[2] ?? 'all', { modules: jobModules, commands });
