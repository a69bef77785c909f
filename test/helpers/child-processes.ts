import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('./die-with-parent.ts', import.meta.url))).href;

/** Every process spawned through here by this test process that has not exited yet. */
const alive = new Set<ChildProcess>();

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous: kill() is. die-with-parent covers the deaths that skip 'exit'.
  process.on('exit', () => {
    for (const child of alive) child.kill('SIGKILL');
  });
}

/** Spawns a TypeScript entry under tsx, tracked until it exits, that dies with this process. */
export function spawnTracked(entry: string, args: string[], options: SpawnOptions): ChildProcess {
  hookExit();
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', PRELOAD, entry, ...args], options);
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  return child;
}

export function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return !!child && child.exitCode === null && child.signalCode === null;
}

/** SIGKILLs the child and resolves once it is gone (its exit status is collected: no zombie). */
export async function killAndReap(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  const gone = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGKILL');
  await gone;
}

export function trackedChildren(): ChildProcess[] {
  return [...alive];
}
