/**
 * Fault injection for the resume tests: with ELK_CRASH_AT=<step>:<phase> the worker kills its own process
 * with SIGKILL at that point — no cleanup, no graceful shutdown, exactly like a lost machine. Phases: before
 * the step, during it (its first progress line), after it ran but before its completion was recorded (the
 * window a destructive step's alreadyDone exists for), and after it was recorded.
 */
export function crashPoint(crashAt: string | undefined, step: string, phase: 'before' | 'during' | 'ran' | 'after'): void {
  if (!crashAt) return;
  if (crashAt === `${step}:${phase}`) process.kill(process.pid, 'SIGKILL');
  // `…:term` sends SIGTERM instead: a deploy's graceful stop arriving at exactly that point.
  if (crashAt === `${step}:${phase}:term`) process.kill(process.pid, 'SIGTERM');
}
