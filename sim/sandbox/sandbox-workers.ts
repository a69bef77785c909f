import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/schema';
import type { Logger } from '../../src/log';
import type { WorkerStartMessage } from './worker-child';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_WORKER_ENTRY = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
/** tsx compiles the job code on first start; on a busy 2-core machine that takes a few seconds. */
const READY_TIMEOUT_MS = 60_000;
/** A SIGTERMed worker hands its job back at its next safe point; run-main gives the whole sandbox 8 s to stop, so this stays under it. */
const STOP_TIMEOUT_MS = 6_000;

export interface WorkerInfo {
  pid: number;
  startedAt: number;
}

/**
 * The sandbox's workers as real child processes, so "kill the worker" in the console is a real SIGKILL: the
 * job's BullMQ lock lapses, and another worker resumes it from its last recorded step, as in production.
 */
export class SandboxWorkers {
  private readonly alive = new Map<number, { child: ChildProcess; info: WorkerInfo }>();
  private closing = false;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly entry = DEFAULT_WORKER_ENTRY,
    private readonly logLevel = log.level,
  ) {}

  list(): WorkerInfo[] {
    return [...this.alive.values()].map((w) => w.info);
  }

  /** Spawns one worker and resolves once it is consuming jobs. */
  async start(): Promise<WorkerInfo> {
    if (this.closing) throw new Error('the sandbox is shutting down: no new workers');
    // `--import tsx` resolves from cwd, hence cwd is the repo root; the environment carries the AWS credentials.
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: process.env,
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not spawn a worker process (${process.execPath} ${this.entry})`);
    const info = { pid, startedAt: Date.now() };
    this.alive.set(pid, { child, info });
    child.once('exit', (code, signal) => {
      this.alive.delete(pid);
      if (!this.closing && signal !== 'SIGKILL') this.log.warn({ worker: pid, code, signal }, 'sandbox worker exited; start another from the console (Sandbox → Start a worker)');
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`sandbox worker ${pid} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      const onExit = (code: number | null, signal: string | null) => fail(new Error(`sandbox worker ${pid} exited (${signal ?? `code ${code}`}) before it was ready; its log above says why`));
      const onMessage = (m: { kind?: string }) => m?.kind === 'ready' && done();
      const cleanup = () => (clearTimeout(timer), child.off('exit', onExit), child.off('message', onMessage));
      const done = () => (cleanup(), resolve());
      const fail = (e: Error) => (cleanup(), child.kill('SIGKILL'), reject(e));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ kind: 'start', config: this.config, logLevel: this.logLevel } satisfies WorkerStartMessage);
    });
    this.log.info({ worker: pid }, 'sandbox worker ready');
    return info;
  }

  /** SIGKILLs the oldest worker (the one most likely to hold the job) and resolves once it is reaped. */
  async kill(pid?: number): Promise<WorkerInfo | undefined> {
    const target = pid !== undefined ? this.alive.get(pid) : [...this.alive.values()][0];
    if (!target) return undefined;
    const gone = new Promise<void>((resolve) => target.child.once('exit', () => resolve()));
    target.child.kill('SIGKILL');
    await gone;
    this.log.warn({ worker: target.info.pid }, 'sandbox worker killed with SIGKILL (from the console): its job resumes on another worker once its lock lapses');
    return target.info;
  }

  /** SIGTERM, so running jobs are handed back; SIGKILL for any that outstays STOP_TIMEOUT_MS. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.alive.values()].map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
            child.once('exit', () => (clearTimeout(timer), resolve()));
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
