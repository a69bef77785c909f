import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ForkedBot {
  pid: number;
  /** SIGTERM and wait for the exit: the runtime closes its queues and server first. */
  close(): Promise<void>;
}

/** Starts bench/bot-process.ts with this config and resolves once it listens (bot) or consumes (worker). */
export async function forkBot(config: unknown, role: 'bot' | 'worker' = 'bot'): Promise<ForkedBot> {
  const child = fork(fileURLToPath(new URL('./bot-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_BOT_PROF && role === 'bot' ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_BOT_PROF] : [])],
    env: { ...process.env, BENCH_BOT_CONFIG: JSON.stringify(config), BENCH_BOT_ROLE: role, LOG_LEVEL: 'warn' },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the bench ${role} exited with ${code} before it was ready`)));
  });
  return {
    pid: child.pid!,
    close: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
