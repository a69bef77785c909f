/**
 * The real Elastalert daemon's rule runs on a clock of our choosing (clocked-daemon.py says how and why): one
 * long-lived python process holding the daemon's state, told by run(now) to do what its scheduler would do at
 * `now`, and answering with what it would have written to its writeback index.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as yaml from 'js-yaml';
import type { Logger } from '../../src/log';
import { elastalertConfig, ruleYaml } from './elastalert-config';
import { SYSTEM_PYTHON } from './run-elastalert';

const SCRIPT = fileURLToPath(new URL('./clocked-daemon.py', import.meta.url));
const REPORT = '@@elk-ops ';

export interface ClockedDaemonOptions {
  esUrl: string;
  /** Rule files for the daemon's rules_folder: name → the rule (Python values, as src/rules loads them). */
  rules: Record<string, Record<string, unknown>>;
  /** More global config keys. */
  config?: Record<string, unknown>;
  log: Logger;
  /** Real milliseconds to wait for the daemon to load its rules or finish one run. Default 60 s. */
  timeoutMs?: number;
  /**
   * Lets Elastalert's deprecated_search run under Debian's python3-elasticsearch 7.17 (clocked-daemon.py says
   * why): without it every use_terms_query run raises TypeError. Off by default: the daemon as Debian ships it.
   */
  deprecatedSearchShim?: boolean;
}

/** One document the daemon would have written: `elastalert_status` per rule run, `elastalert` per alert, `elastalert_error`. */
export type WritebackDoc = [docType: string, body: Record<string, unknown>];

export interface ClockedDaemon {
  /** The names of the rules the daemon loaded (it drops those it cannot load, and logs why). */
  rules: string[];
  /** Runs every rule as the daemon's scheduler would at clock time `now` (ms since the epoch). */
  run(now: number): Promise<WritebackDoc[]>;
  close(): Promise<void>;
}

export async function startClockedDaemon(o: ClockedDaemonOptions): Promise<ClockedDaemon> {
  // The folder holds the rules (with the webhook's secret, as a real rules folder does): the owner's only.
  const dir = await mkdtemp(join(tmpdir(), 'elk-ops-elastalert-daemon-'));
  const rulesFolder = join(dir, 'rules');
  await writeFile(join(dir, 'config.yaml'), yaml.dump(elastalertConfig(o.esUrl, rulesFolder, { disable_rules_on_error: false, ...o.config })), { mode: 0o600 });
  await mkdir(rulesFolder, { mode: 0o700 });
  for (const [name, rule] of Object.entries(o.rules)) await writeFile(join(rulesFolder, name), ruleYaml(rule), { mode: 0o600 });

  const child = spawn(SYSTEM_PYTHON, [SCRIPT, join(dir, 'config.yaml')], { cwd: dir, env: { ...process.env, TZ: 'UTC', PYTHONUNBUFFERED: '1', ...(o.deprecatedSearchShim && { ELK_OPS_DEPRECATED_SEARCH_SHIM: '1' }) }, stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting: Array<{ resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  let exited: Error | undefined;
  let stderrTail = '';
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail = `${stderrTail}${line}\n`.slice(-4000);
    if (/^(ERROR|CRITICAL)/.test(line)) o.log.warn({ elastalert: line }, 'elastalert daemon');
    else o.log.debug({ elastalert: line }, 'elastalert daemon');
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith(REPORT)) waiting.shift()?.resolve(JSON.parse(line.slice(REPORT.length)));
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`the Elastalert daemon exited (${signal ?? `code ${code}`}); its last words:\n${stderrTail}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (exited) return reject(exited);
      // A late answer would be taken for the next run's: a daemon that does not answer in time is ended.
      const timer = setTimeout(() => {
        reject(new Error(`the Elastalert daemon did not answer within ${o.timeoutMs ?? 60_000} ms; stopped it:\n${stderrTail}`));
        child.kill('SIGKILL');
      }, o.timeoutMs ?? 60_000);
      waiting.push({ resolve: (r) => (clearTimeout(timer), resolve(r)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });

  const close = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(kill);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ready = (await next()) as { ready: string[] };
    return {
      rules: ready.ready,
      run: async (now) => {
        const answer = next();
        child.stdin.write(`${new Date(now).toISOString()}\n`);
        return ((await answer) as { writeback: WritebackDoc[] }).writeback;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
