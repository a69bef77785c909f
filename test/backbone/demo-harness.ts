import { fileURLToPath } from 'node:url';
import { cancelCommand } from '../../commands/cancel';
import { helpCommand } from '../../commands/help';
import { statusCommand } from '../../commands/status';
import type { Command } from '../../commands/types';
import { demoCommand, demoJob } from '../fixtures/demo-job';
import { startHarness, type HarnessOptions } from '../helpers/harness';

const workerEntry = fileURLToPath(new URL('../fixtures/demo-worker.ts', import.meta.url));

/** The harness with the demo job: the runner, approvals and resume exercised without a cluster. */
export function startDemoHarness(o: Partial<HarnessOptions> = {}) {
  const commands: Command<any>[] = [];
  commands.push(helpCommand(() => commands), demoCommand, statusCommand, cancelCommand);
  return startHarness({ modules: { demo: demoJob }, commands, workerEntry, speed: 60, ...o });
}
