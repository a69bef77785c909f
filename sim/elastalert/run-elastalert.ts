/**
 * Runs the real Elastalert (Debian's 0.2.4, /usr/bin/elastalert-test-rule) for one rule over a fixed time range
 * against an Elasticsearch URL (usually the simulator), and returns what it matched.
 *
 * Why elastalert-test-rule and not the `elastalert` daemon: the daemon needs a writeback index, exits before
 * running anything once `--end` lies in the past (it compares `now + run_every` with `--end`), and alerts in
 * real time. test-rule runs `ElastAlerter.run_rule(rule, end, start)` once with writeback mocked out, which is
 * the daemon's own query/segment/match code over exactly [start, end].
 *
 * Why `--alert` with an `http_post` alerter: the default `--debug` mode only logs matches as text (minute- or
 * millisecond-precision depending on the line); the post alerter sends each match as JSON (every field,
 * @timestamp in ISO form, spike_count/reference_count, num_hits, num_matches) to a receiver started here.
 * `--formatted-output` adds the elastalert_status document (matches, hits, starttime, endtime) on stdout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { elastalertConfig } from './elastalert-config';

export const ELASTALERT_TEST_RULE = '/usr/bin/elastalert-test-rule';
/** Another python3 may be first on PATH; Debian's elastalert modules live in the system interpreter's path. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export const elastalertInstalled = () => existsSync(ELASTALERT_TEST_RULE) && existsSync(SYSTEM_PYTHON);

export interface ElastalertRunOptions {
  /** Elasticsearch base URL, e.g. the simulator's http://127.0.0.1:PORT. */
  esUrl: string;
  /** The rule as its YAML would read (name, type, index, filter, ...). `alert` and `http_post_*` are replaced. */
  rule: Record<string, unknown>;
  start: Date | string;
  end: Date | string;
  /** Global config keys (buffer_time, run_every, max_query_size, ...). */
  config?: Record<string, unknown>;
  /** Kill the python process after this many real milliseconds. Default 60 s. */
  timeoutMs?: number;
  /** Timezone of the python process. Default UTC (Elastalert's pretty_ts and tzlocal() read it). */
  tz?: string;
  /** Record every request Elastalert sends (elasticsearch-py's trace logger, as curl lines) in `trace`. */
  traceRequests?: boolean;
  /** More URLs the post alerter sends every match to (e.g. the bot's webhook); set http_post_headers in `rule`. */
  alsoPostTo?: string[];
}

export interface ElastalertMatch {
  /** The match's @timestamp (or the rule's timestamp_field), as Elastalert serialised it. */
  timestamp: string;
  body: Record<string, unknown>;
}

export interface ElastalertQuery {
  /** From the "Queried rule ... from A to B: N / M hits" log line (Elastalert prints minutes only). */
  from: string;
  to: string;
  hits: number;
}

export interface ElastalertRun {
  matches: ElastalertMatch[];
  /** The elastalert_status document run_rule would have written: matches, hits, starttime, endtime. */
  status?: Record<string, unknown>;
  queries: ElastalertQuery[];
  /** Matches Elastalert dropped because the rule was silenced (realert is measured in wall-clock time). */
  silenced: number;
  errors: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  trace?: string;
  /** The command line, for reports. */
  command: string[];
}

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());

async function startReceiver(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch {
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/alert`, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function runElastalert(opts: ElastalertRunOptions): Promise<ElastalertRun> {
  if (!elastalertInstalled()) throw new Error(`${ELASTALERT_TEST_RULE} is not installed (apt-get install elastalert)`);
  const dir = await mkdtemp(join(tmpdir(), 'elk-ops-elastalert-'));
  const receiver = await startReceiver();
  try {
    const configPath = join(dir, 'config.yaml');
    const rulePath = join(dir, 'rule.yaml');
    await writeFile(configPath, yaml.dump(elastalertConfig(opts.esUrl, dir, opts.config)));
    const rule = { ...opts.rule, alert: ['post'], http_post_url: [receiver.url, ...(opts.alsoPostTo ?? [])], http_post_timeout: 10 };
    await writeFile(rulePath, yaml.dump(rule));
    const traceFile = join(dir, 'trace.log');
    const args = ['--alert', '--formatted-output', '--config', configPath, '--start', iso(opts.start), '--end', iso(opts.end), rulePath];
    // The trace wrapper runs the same entry point with elasticsearch-py's request tracer attached to a file.
    const argv = opts.traceRequests
      ? [
          '-c',
          `import logging, sys\nt = logging.getLogger('elasticsearch.trace'); t.setLevel(logging.DEBUG); t.propagate = False\nt.addHandler(logging.FileHandler(${JSON.stringify(traceFile)}))\nsys.argv = ['elastalert-test-rule'] + sys.argv[1:]\nfrom elastalert.test_rule import main\nmain()`,
          ...args,
        ]
      : [ELASTALERT_TEST_RULE, ...args];
    const child = spawn(SYSTEM_PYTHON, argv, { cwd: dir, env: { ...process.env, TZ: opts.tz ?? 'UTC', PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`elastalert-test-rule did not finish within ${timeoutMs} ms; killed pid ${child.pid}.\nstderr:\n${stderr.slice(-4000)}`));
      }, timeoutMs);
      child.on('error', (e) => (clearTimeout(timer), reject(e)));
      child.on('exit', (code) => (clearTimeout(timer), resolve(code)));
    });
    const lastJson = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    const formatted = lastJson ? (JSON.parse(lastJson) as { writeback?: Record<string, Record<string, unknown>> }) : {};
    const tsField = String(opts.rule.timestamp_field ?? '@timestamp');
    const queries = [...stderr.matchAll(/Queried rule .* from (.+?) to (.+?): (\d+)(?: \/ \d+)? hits/g)].map((m) => ({ from: m[1], to: m[2], hits: Number(m[3]) }));
    // test-rule --alert trips over its own bookkeeping after each alert was sent (thread_data.alerts_sent is only
    // initialised by the daemon's scheduler): the POST has happened, only the mocked writeback is skipped.
    const harmless = /alerts_sent|^ERROR:root:Traceback/;
    const errors = [...stderr.matchAll(/^(?:ERROR|CRITICAL):.*$/gm)].map((m) => m[0]).filter((l) => !harmless.test(l));
    return {
      matches: receiver.bodies.map((body) => ({ timestamp: String(body[tsField]), body })),
      status: formatted.writeback?.elastalert_status,
      queries,
      silenced: [...stderr.matchAll(/Ignoring match for silenced rule/g)].length,
      errors,
      exitCode,
      stdout,
      stderr,
      trace: opts.traceRequests ? await readFile(traceFile, 'utf8').catch(() => '') : undefined,
      command: [SYSTEM_PYTHON, ...(opts.traceRequests ? ['-c', '<trace wrapper>'] : [ELASTALERT_TEST_RULE]), ...args],
    };
  } finally {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}
