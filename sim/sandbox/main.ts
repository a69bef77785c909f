import { commands } from '../../commands';
import { jobModules } from '../../jobs/registry';
import { createLogger } from '../../src/log';
import { onShutdown, quietAwsSdkOnOldNode } from '../../src/run-main';
import { startSandbox } from './start-sandbox';

// The sandbox is demo equipment: it has its own entry so that production code never imports the simulators.
quietAwsSdkOnOldNode();
const log = createLogger('elk-ops');
const sandbox = await startSandbox({ modules: jobModules, commands }, log, process.env);
onShutdown(log, () => sandbox.close());
