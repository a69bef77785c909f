import { fileURLToPath } from 'node:url';
import { cancelCommand } from '../../commands/cancel';
import { helpCommand } from '../../commands/help';
import { statusCommand } from '../../commands/status';
import type { Command } from '../../commands/types';
import { runnerCommand, runnerJob } from '../fixtures/runner-job';
import { startHarness, type HarnessOptions } from '../helpers/harness';

export const runnerWorkerEntry = fileURLToPath(new URL('../fixtures/runner-worker.ts', import.meta.url));

/** The harness with the runner test job (its `/elk demo` takes --polls, --poll-ms, --approve, --dry-run). */
export function startRunnerHarness(o: Partial<HarnessOptions> = {}) {
  const commands: Command<any>[] = [];
  commands.push(helpCommand(() => commands), runnerCommand, statusCommand, cancelCommand);
  return startHarness({ modules: { demo: runnerJob }, commands, workerEntry: runnerWorkerEntry, speed: 60, ...o });
}
