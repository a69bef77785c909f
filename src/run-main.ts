import type { Command } from '../commands/types';
import { ConfigError, loadConfig } from './config/load-config';
import { createLogger } from './log';
import type { JobKind, JobModule } from './runner/types';
import { startRuntime, type Role } from './start-runtime';

export interface Registry {
  modules: Partial<Record<JobKind, JobModule<any, any>>>;
  commands: Command<any>[];
}

const USAGE = 'usage: elk-ops <bot|worker|all>   (config file: ELK_CONFIG, default ./elk-ops.yml)';

/** Entry point shared by src/main.ts and test fixtures: start a role and shut down cleanly on SIGTERM/SIGINT. */
export async function runMain(role: string, registry: Registry, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  quietAwsSdkOnOldNode();
  const log = createLogger('elk-ops');
  if (role === 'sandbox') {
    console.error('the sandbox has its own entry point: npm run sandbox (tsx sim/sandbox/main.ts)');
    process.exit(2);
  }
  if (!['bot', 'worker', 'all'].includes(role)) {
    console.error(USAGE);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig(env.ELK_CONFIG ?? 'elk-ops.yml', env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const runtime = await startRuntime(config, { role: role as Role, log, ...registry, crashAt: env.ELK_CRASH_AT });
  log.info({ role, clusters: Object.keys(config.clusters) }, 'elk-ops started');
  onShutdown(log, () => runtime.close());
}

/**
 * The AWS SDK prints a multi-line NodeVersionSupportWarning at its first client on Node < 22. package.json
 * requires 22 (and CI and the image use it), so the warning only tells a developer on an older node what
 * engines already says; it is silenced there and nowhere else, so it returns if the SDK ever raises its bar.
 */
export function quietAwsSdkOnOldNode(env: NodeJS.ProcessEnv = process.env): void {
  if (Number(process.versions.node.split('.')[0]) < 22) env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/**
 * A stop must end in bounded time even when Redis is gone (a closing BullMQ worker would wait for it
 * forever): past this, the process exits anyway. Jobs it held resume from their last recorded step once their
 * lock lapses. Kept under the 10 s that Docker and systemd give before SIGKILL.
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;

export function onShutdown(log: ReturnType<typeof createLogger>, close: () => Promise<void>, deadlineMs = SHUTDOWN_DEADLINE_MS): void {
  let closing = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, async () => {
      if (closing) return;
      closing = true;
      log.info({ signal: sig }, 'shutting down: running jobs stop at their next safe point and are handed to the next worker');
      setTimeout(() => {
        log.error({ deadlineMs }, 'shutdown did not finish in time (is Redis reachable?); exiting now — jobs resume from their last recorded step on another worker');
        process.exit(1);
      }, deadlineMs);
      try {
        await close();
      } catch (err) {
        log.error({ err: (err as Error).message }, 'error while shutting down');
      } finally {
        process.exit(0);
      }
    });
  }
}
