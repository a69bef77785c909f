import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findRedisBinary, freePort, redisAnswers } from '../../sim/sandbox/redis-server';

/**
 * A private redis-server configured as production should be (AOF on, fsync every write, noeviction), that the
 * soak may restart: same port, same directory, so what it acknowledged before is there after.
 */
export class AofRedis {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'elk-ops-soak-redis-'));
  restarts = 0;
  private readOnlyTimer?: NodeJS.Timeout;
  private constructor(readonly port: number) {}

  static async start(): Promise<AofRedis> {
    const r = new AofRedis(await freePort());
    await r.spawn();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Read-only for `forMs`: a replica of a primary that is not there (port 9, discard), as an old primary is in a
   * failover's first moments. It keeps its data and answers reads; every write gets READONLY.
   */
  async readOnly(forMs: number): Promise<void> {
    await this.admin('REPLICAOF', '127.0.0.1', '9');
    clearTimeout(this.readOnlyTimer);
    this.readOnlyTimer = setTimeout(() => void this.writable(), forMs);
  }

  /** A primary again (also the end of every soak run, so nothing after it meets a read-only Redis). */
  async writable(): Promise<void> {
    clearTimeout(this.readOnlyTimer);
    await this.admin('REPLICAOF', 'NO', 'ONE').catch(() => undefined);
  }

  private async admin(...args: string[]): Promise<void> {
    const c = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      await c.call(args[0], ...args.slice(1));
    } finally {
      c.disconnect();
    }
  }

  /** SIGTERM (Redis flushes and exits) or SIGKILL (only the AOF saves it), then the same server again. */
  async restart(signal: 'SIGTERM' | 'SIGKILL', downMs = 200): Promise<void> {
    await this.stop(signal);
    await new Promise((r) => setTimeout(r, downMs));
    await this.spawn();
    this.restarts++;
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  private async spawn(): Promise<void> {
    const binary = findRedisBinary();
    if (!binary) throw new Error('no redis-server found (apt-get install redis-server)');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'];
    const child = spawn(binary, args, { stdio: 'ignore' });
    this.child = child;
    // A soak that dies must not leave a redis-server behind; 'exit' handlers must be synchronous, kill() is.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(this.url, 200))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} on port ${this.port}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port} within 10 s`);
      await new Promise((r) => setTimeout(r, 30));
    }
    // A reloaded AOF answers -LOADING for a moment; PONG means the data set is in.
  }
}
