import { runSandboxWorker } from '../../sim/sandbox/worker-child';
import { demoJob } from '../fixtures/demo-job';

// The sandbox test's worker process: the demo job only, as the test's in-process bot registers.
await runSandboxWorker({ modules: { demo: demoJob }, commands: [] });
