/**
 * Fault injection for the resume tests: with ELK_CRASH_AT=<step>:<before|after|during> the worker kills its
 * own process with SIGKILL at that point — no cleanup, no graceful shutdown, exactly like a lost machine.
 */
export function crashPoint(crashAt: string | undefined, step: string, phase: 'before' | 'after' | 'during'): void {
  if (crashAt && crashAt === `${step}:${phase}`) process.kill(process.pid, 'SIGKILL');
}
