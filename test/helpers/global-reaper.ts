import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

const MARK = 'ELK_TEST_RUN';

interface Leftover {
  pid: number;
  cmd: string;
  config?: string;
}

/** Processes carrying this run's mark in their environment, other than vitest itself and its pool workers. */
function marked(run: string): Leftover[] {
  const out: Leftover[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!env.includes(`${MARK}=${run}`)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!cmd || /node_modules\/(vitest|tinypool)\//.test(cmd)) continue;
      const state = /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
      if (state === 'Z') continue; // already dead, waiting for its parent to collect it
      out.push({ pid, cmd, config: env.find((e) => e.startsWith('ELK_CONFIG='))?.slice('ELK_CONFIG='.length) });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return out;
}

/**
 * Marks every process the suite starts (the mark is inherited through the environment) and, at the end, fails
 * the run if any of them is still alive — naming each — after killing it. A test must reap what it spawns.
 */
export default function setup() {
  const run = randomBytes(6).toString('hex');
  process.env[MARK] = run;
  return async () => {
    let left = marked(run);
    // A child SIGKILLed by a test that is just finishing may need a moment to be collected.
    for (let i = 0; i < 20 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = marked(run);
    }
    if (!left.length) return;
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    const list = left.map((p) => `  pid ${p.pid}: ${p.cmd}${p.config ? ` (ELK_CONFIG=${p.config})` : ''}`).join('\n');
    // Not thrown: a throw here would skip the other teardowns (the suite's own redis-server would be left running).
    console.error(`\n✗ ${left.length} process(es) started by the tests were still running at the end (killed now):\n${list}\n`);
    process.exitCode = 1;
  };
}
