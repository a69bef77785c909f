/**
 * Runs every benchmark in bench/ one after another, each in its own process (a clean event loop and heap, and
 * a crash or hang stays contained), and prints their output. A file another bench imports or forks is a
 * helper, not a bench. Each gets BENCH_TIMEOUT_MS (default 2 minutes) before it is killed.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);
const self = basename(fileURLToPath(import.meta.url));

const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== self).sort();
const sources = files.map((f) => readFileSync(join(DIR, f), 'utf8'));
// Imported ('./x') or started as a child process ('./x.ts'): either way a helper.
const helpers = new Set(files.filter((f) => sources.some((s) => s.includes(`'./${f.replace(/\.ts$/, '')}'`) || s.includes(`'./${f}'`))));
const benches = files.filter((f) => !helpers.has(f));

/** A bench may ask for more time with a `bench-timeout: 300s` line in its header. */
function timeoutOf(source: string): number {
  const m = /bench-timeout:\s*(\d+)s/.exec(source);
  return m ? Number(m[1]) * 1000 : TIMEOUT_MS;
}

function run(file: string): Promise<{ code: number | null; ms: number; timedOut: boolean; limitMs: number }> {
  const started = Date.now();
  const limitMs = timeoutOf(sources[files.indexOf(file)]);
  return new Promise((resolve) => {
    // Output passes straight through, minus the AWS SDK's "Node 20 support ends" notice that every bench would repeat.
    const child = spawn(process.execPath, ['--import', 'tsx', join(DIR, file)], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - started, timedOut, limitMs });
    });
  });
}

const failed: string[] = [];
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const r = await run(file);
  const how = r.timedOut ? `killed after ${r.limitMs / 1000} s` : r.code === 0 ? 'ok' : `exit code ${r.code}`;
  console.log(`=== ${file}: ${how} in ${(r.ms / 1000).toFixed(1)} s`);
  if (r.timedOut || r.code !== 0) failed.push(file);
}
console.log(`\n${benches.length - failed.length} of ${benches.length} benches finished${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exitCode = failed.length ? 1 : 0;
