import { jobModules } from '../../jobs/registry';
import { runSandboxWorker } from './worker-child';

// The sandbox's worker process, with every job the product has; spawned by sandbox-workers.ts.
await runSandboxWorker({ modules: jobModules, commands: [] });
