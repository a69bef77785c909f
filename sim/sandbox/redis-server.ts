import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `preferred` when nothing listens there yet, else a free port: fixed ports are easier to remember, not required. */
export function portOr(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(freePort()));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

/** True when a Redis answers PING at `url`; an open port alone could be anything. */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(/^\+PONG|^-NOAUTH/.test(d.toString())));
    s.connect(Number(port || 6379), hostname, () => s.write('PING\r\n'));
  });
}

/** Where Debian's package puts redis-server, or whatever is on PATH; undefined when there is none. */
export function findRedisBinary(): string | undefined {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface RunningRedis {
  url: string;
  /** The server's process id (tests freeze it with SIGSTOP to play an unreachable Redis). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts a throw-away redis-server on a free port (no persistence, noeviction as BullMQ requires). */
export async function startRedis(binary = findRedisBinary()): Promise<RunningRedis> {
  if (!binary) throw new Error('no redis-server found: install it (apt-get install redis-server) or set REDIS_URL');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'elk-ops-redis-'));
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url, 200))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before answering on port ${port}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port} within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
