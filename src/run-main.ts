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

export function onShutdown(log: ReturnType<typeof createLogger>, close: () => Promise<void>): void {
  let closing = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, async () => {
      if (closing) return;
      closing = true;
      log.info({ signal: sig }, 'shutting down: letting running steps finish');
      try {
        await close();
      } finally {
        process.exit(0);
      }
    });
  }
}
