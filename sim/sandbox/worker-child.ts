import type { Config } from '../../src/config/schema';
import { createLogger } from '../../src/log';
import { onShutdown, quietAwsSdkOnOldNode, type Registry } from '../../src/run-main';
import { startRuntime } from '../../src/start-runtime';

/** What the sandbox sends its worker child over the IPC channel: the config it already pointed at the simulators. */
export interface WorkerStartMessage {
  kind: 'start';
  config: Config;
  logLevel: string;
}

/**
 * The body of a sandbox worker process. The config comes over IPC, not argv or a file, so its made-up secrets
 * are never on a command line or on disk. The parent going away (Ctrl-C, a crash) closes the channel: the
 * worker then shuts down as on SIGTERM, handing its job back, so no worker outlives its sandbox.
 */
export async function runSandboxWorker(registry: Registry): Promise<void> {
  quietAwsSdkOnOldNode();
  if (!process.send) throw new Error('a sandbox worker runs as a child of `npm run sandbox` (it needs the IPC channel); for a real worker use `node --import tsx src/main.ts worker`');
  const msg = await new Promise<WorkerStartMessage>((resolve) => process.once('message', (m) => resolve(m as WorkerStartMessage)));
  const log = createLogger('elk-ops-worker', msg.logLevel);
  const runtime = await startRuntime(msg.config, { role: 'worker', log, ...registry });
  onShutdown(log, () => runtime.close());
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.send({ kind: 'ready', pid: process.pid });
  log.info('sandbox worker started');
}
