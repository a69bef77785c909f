import { Redis } from 'ioredis';
import { seededRandom } from '../../sim/seeded-random';
import { Queue } from 'bullmq';
import { kindOfJobId, queueName } from '../../src/queues/names';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobModules } from '../../jobs/registry';
import type { JobData } from '../../src/runner/types';
import { AckedWriter } from '../../sim/seed/acked-writer';
import { watchEstate } from '../../sim/watcher/for-estate';
import { startHarness, type Harness, type JobSnapshot } from '../helpers/harness';
import { jobIdIn } from '../helpers/job-id';
import type { AofRedis } from './aof-redis';
import { ChaosProxy } from './chaos-proxy';
import { scheduleFor, type Chaos, type Schedule, type SoakKind } from './schedule';
import { SOAK_SPEED, startSoakEstate } from './soak-estate';
import { questionAction } from './question-action';

export interface SoakResult {
  kind: SoakKind;
  seed: number;
  schedule: Schedule;
  violations: string[];
  outcome: string;
  figures: Record<string, number | string>;
  replay: string;
}

/** Real ms a job may take, chaos included, before "the job ends" counts as broken. */
const JOB_BOUND_MS: Record<SoakKind, number> = { upgrade: 75_000, reindex: 45_000 };

export const replayCommand = (kind: SoakKind, seed: number, quick?: boolean) => `npm run soak -- --seed ${seed} --kind ${kind}${quick ? ' --quick' : ''}`;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One seeded soak run: the real bot (Slack emulator, worker child processes, the private AOF Redis) runs one
 * `/elk` job while the schedule kills, restarts and disturbs it; the watcher and the job's own records say
 * whether any invariant broke.
 */
export async function soakOnce(
  kind: SoakKind,
  seed: number,
  redis: AofRedis,
  log: (line: string) => void = () => undefined,
  /** For narrowing a finding down by hand: replaces parts of the seed's schedule. */
  override: Partial<Schedule> = {},
  o: { quick?: boolean; boundMs?: number } = {},
): Promise<SoakResult> {
  const bound = o.boundMs ?? JOB_BOUND_MS[kind];
  const schedule = { ...scheduleFor(kind, seed), ...override };
  const random = seededRandom(seed);
  const violations: string[] = [];
  const notes: string[] = [];
  const figures: Record<string, number | string> = { sigkills: 0, sigterms: 0, killsInCall: 0, redisRestarts: 0, workerStarts: 0 };
  const { estate, expectedNodes, command, seeded, replaced } = await startSoakEstate(schedule, o);
  const esProxy = await new ChaosProxy(estate.es.url, random).start();
  const awsProxy = await new ChaosProxy(estate.aws.url, random).start();
  const watcher = watchEstate(estate, { expectedNodes });
  const writer = new AckedWriter({ url: estate.es.url, now: () => estate.clock.now(), batch: 10, everyMs: 100, runId: `s${seed}` });
  let h: Harness | undefined;
  let outcome = 'not started';
  try {
    process.env.REDIS_URL = redis.url;
    h = await startHarness({
      estate,
      startWorker: false,
      clusterConfig: { elasticsearch: { url: esProxy.url }, aws: { endpoint: awsProxy.url } },
      // Long enough that a predicate waiting out a slow recovery never turns into an override question.
      config: { worker: { predicateWait: '20m' } },
    });
    const baseline = await watcher.baseline('logs-*');
    await watcher.start();
    writer.start();
    await h.startWorker({ crashAt: schedule.crashAt });
    figures.workerStarts = 1;
    const reply = await h.command('alice', command);
    const jobId = jobIdIn(reply);
    const began = Date.now();
    const pending = [...schedule.chaos];
    const asked = new Map<string, Set<string>>();
    const clicked = new Set<string>();
    let snap: JobSnapshot | undefined;
    let downUntil = 0;

    const act = async (c: Chaos) => {
      switch (c.what) {
        case 'sigkill':
          if (h!.workerPids().length) figures.sigkills = Number(figures.sigkills) + 1;
          await h!.killWorker();
          return;
        case 'sigterm': {
          const pids = h!.workerPids();
          if (!pids.length) return;
          figures.sigterms = Number(figures.sigterms) + 1;
          for (const pid of pids) process.kill(pid, 'SIGTERM');
          const exited = await h!.workerExited(20_000).then(() => true, () => false);
          if (!exited) {
            violations.push('a worker given SIGTERM was still running 20 s later (graceful shutdown should end at the step in progress)');
            await h!.killWorker();
          }
          return;
        }
        case 'kill-in-call': {
          const proxy = c.target === 'es' ? esProxy : awsProxy;
          proxy.killInCall = {
            match: new RegExp(c.match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
            nth: c.nth,
            kill: async () => {
              figures.killsInCall = Number(figures.killsInCall) + 1;
              await h!.killWorker();
            },
          };
          return;
        }
        case 'faults': {
          const proxy = c.target === 'es' ? esProxy : awsProxy;
          const rule = { match: /./, fault: c.fault, status: c.fault === 'error' ? c.status : undefined, rate: c.rate, times: c.times };
          proxy.rules.push(rule);
          setTimeout(() => (proxy.rules = proxy.rules.filter((r) => r !== rule)), c.forMs).unref();
          return;
        }
        case 'redis-restart':
          figures.redisRestarts = Number(figures.redisRestarts) + 1;
          await redis.restart(c.signal);
          return;
        case 'redis-readonly':
          figures.redisReadOnly = Number(figures.redisReadOnly ?? 0) + 1;
          figures.readOnlyWhile = snap?.state ?? 'not seen';
          await redis.readOnly(c.forMs);
          return;
        case 'es-knob-fault':
          estate.es.cluster.knobs.faults.push({ path: new RegExp(c.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), status: c.status, times: c.times });
          return;
      }
    };

    for (;;) {
      const elapsed = Date.now() - began;
      if (elapsed > bound) {
        violations.push(`the job had not ended ${bound / 1000} s after the command (state ${snap?.state}, step ${snap?.data.cursor}: ${lastLine(h, jobId)})`);
        outcome = `stuck (${snap?.state})`;
        log(`  job log tail: ${(await jobLogTail(h, jobId)).join(' | ')}`);
        const fresh = await h.job(jobId).then((j) => `state ${j?.state} cursor ${j?.data.cursor} records ${j?.data.records.length}`, (e: Error) => `job() throws: ${e.message}`);
        const redisNow = new Redis(process.env.REDIS_URL!);
        const lockKeys = await redisNow.keys(`${h.prefix}*${jobId}*lock*`);
        const ttls = await Promise.all(lockKeys.map(async (k) => `${k.slice(h!.prefix.length)}=${await redisNow.pttl(k)}ms`));
        await redisNow.quit();
        log(`  locks: ${ttls.join(' ')}`);
        log(`  fresh snapshot: ${fresh}; thread messages ${h.thread(jobId).length}; worker pids ${h.workerPids().join(',')}`);
        break;
      }
      while (pending.length && pending[0].at <= elapsed) {
        const c = pending.shift()!;
        // A read-only Redis before a worker has taken the job (a worker process takes seconds to start) meets only
        // BullMQ's fetch loop: it waits until the job runs.
        if (c.what === 'redis-readonly' && snap?.state !== 'active') {
          pending.push({ ...c, at: elapsed + 100 });
          pending.sort((a, b) => a.at - b.at);
          break;
        }
        log(`  t+${elapsed}ms ${JSON.stringify(c)}`);
        await act(c);
        if (c.what === 'sigkill' || c.what === 'sigterm') downUntil = Date.now() + 150;
      }
      // A new worker after a death, as a process supervisor (systemd, ECS) would start one.
      if (!h.workerPids().length && Date.now() >= downUntil) {
        await h.startWorker();
        figures.workerStarts = Number(figures.workerStarts) + 1;
      }
      snap = await h.job(jobId).catch(() => snap);
      if (snap && (snap.state === 'completed' || snap.state === 'failed')) {
        outcome = snap.state === 'completed' ? String(snap.returnvalue?.outcome ?? 'completed') : `failed: ${snap.failedReason}`;
        break;
      }
      const p = snap?.data.pendingApproval;
      if (p?.postedTs) {
        const key = p.request.action;
        asked.set(key, (asked.get(key) ?? new Set()).add(p.postedTs));
        if (!clicked.has(p.id)) {
          clicked.add(p.id);
          // Overrides are never clicked: being asked for one is the finding. Stopping keeps the run bounded.
          const button = p.purpose === 'override' ? 'approval_reject' : 'approval_approve';
          if (p.purpose === 'override') violations.push(`an override was requested: ${key}`);
          if (p.purpose === 'continue') notes.push(`asked to continue: ${key}`);
          await h.clickApproval('bob', jobId, button).catch((e: Error) => {
            clicked.delete(p.id);
            log(`  click failed (${e.message.split('\n')[0]}); will retry`);
          });
        }
      }
      await sleep(40);
    }

    // ---- the job's own account: records, the thread ----------------------------------------------------
    const final = (await h.job(jobId).catch(() => undefined)) ?? snap;
    if (final) violations.push(...checkRecords(final.data, final.state === 'completed' && final.returnvalue?.outcome === 'completed'));
    const thread = h.threadText(jobId);
    // Kept for the diagnosis of a failing seed: the whole thread and the worker log, next to the replay command.
    const dump = join(tmpdir(), `elk-soak-${kind}-${seed}.txt`);
    writeFileSync(dump, `${thread}\n\n--- worker log ---\n${h.workerLog()}`);
    figures.thread = dump;
    if (final?.state === 'failed' && !/❌ \*Failed\*|🛑|⛔/.test(thread)) violations.push(`the job failed without saying why in its thread (${final.failedReason})`);
    violations.push(...repeatedInThread(h, jobId, final?.data));
    for (const [action, posts] of asked) if (posts.size > 1) violations.push(`approval asked ${posts.size} times: ${action}`);
    for (const [action, n] of approvalCounts(h, jobId)) if (n > 1) violations.push(`approval posted ${n} times in the thread: ${action}`);

    // ---- the watcher's account ------------------------------------------------------------------------
    const w = await writer.stop(8_000);
    const expected: Record<string, number> = { ...baseline, ...w.acked };
    for (const name of seeded) if (!(name in baseline)) violations.push(`seeded index ${name} was not counted at the start`);
    await watcher.auditDocuments(expected);
    await watcher.stop();
    violations.push(...watcher.violations({ maxNodesOut: 1 }));
    const r = watcher.report();
    if (kind === 'upgrade' && final?.returnvalue?.outcome === 'completed') {
      // Requested terminations only: a replacement that fails to boot is terminated by EC2 and taken out of
      // service by the group's health check (its own activity, with that cause), which is no act of the job.
      const requested = r.terminations.filter((t) => /in response to a user request/.test(t.cause));
      const terminated = new Set(requested.map((t) => t.instanceId));
      if (terminated.size !== replaced) {
        violations.push(`the upgrade completed having terminated ${terminated.size} instances by request, not ${replaced} (AWS activities: ${r.terminations.map((t) => `${t.instanceId}: ${t.cause}`).join('; ')})`);
      }
    }
    Object.assign(figures, {
      wallMs: Date.now() - began,
      clockMin: Math.round((r.endedAt - r.startedAt) / 60_000),
      ackedDocs: Object.values(w.acked).reduce((a, b) => a + b, 0),
      hourlyIndices: Object.keys(w.acked).length,
      unresolvedWrites: w.unresolved,
      maxNodesOut: r.maxNodesOut,
      yellowClockS: Math.round(r.timeIn.yellow / 1000),
      redClockS: Math.round(r.timeIn.red / 1000),
      terminations: r.terminations.length,
      healthLooks: r.samples,
      proxyFaults: JSON.stringify({ es: esProxy.hits, aws: awsProxy.hits }),
      notes: notes.join('; '),
    });
  } catch (e) {
    violations.push(`the soak run itself failed: ${(e as Error).stack ?? e}`);
  } finally {
    await redis.writable();
    await writer.stop(0).catch(() => undefined);
    await watcher.close().catch(() => undefined);
    await h?.close().catch(() => undefined);
    await esProxy.close();
    await awsProxy.close();
    await estate.close();
  }
  return { kind, seed, schedule, violations: [...new Set(violations)], outcome, figures, replay: replayCommand(kind, seed, o.quick) };
}

/** The last lines the runner wrote to the BullMQ job log: what the job was doing when it stopped moving. */
async function jobLogTail(h: Harness, jobId: string): Promise<string[]> {
  const q = new Queue(queueName(kindOfJobId(jobId)!), { connection: { url: process.env.REDIS_URL }, prefix: h.prefix });
  try {
    const { logs } = await q.getJobLogs(jobId, -4, -1);
    return logs;
  } finally {
    await q.close();
  }
}

function lastLine(h: Harness, jobId: string): string {
  return h.threadText(jobId).split('\n').filter(Boolean).at(-1)?.slice(0, 200) ?? '(empty thread)';
}

/** Steps run in plan order, each recorded once; a completed job recorded every step, destructive ones included. */
export function checkRecords(data: JobData, completed: boolean): string[] {
  const out: string[] = [];
  const steps = jobModules[data.kind]!.definition.steps(data as JobData<any>);
  const names = data.records.map((r) => r.step);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  for (const d of new Set(dup)) out.push(`step ${d} was recorded ${names.filter((n) => n === d).length} times`);
  const planned = steps.map((s) => s.name);
  names.forEach((n, i) => {
    if (planned[i] !== n) out.push(`record ${i + 1} is ${n}, the plan has ${planned[i] ?? 'nothing'} there`);
  });
  if (completed) {
    for (const s of steps) if (s.destructive && !names.includes(s.name)) out.push(`destructive step ${s.name} was skipped in a completed job`);
    if (names.length !== planned.length) out.push(`completed with ${names.length} of ${planned.length} steps recorded`);
  }
  return out;
}

/** A destructive step's ✅ line appears once; twice means it ran (or claimed to run) twice. */
function repeatedInThread(h: Harness, jobId: string, data: JobData | undefined): string[] {
  if (!data) return [];
  const steps = jobModules[data.kind]!.definition.steps(data as JobData<any>).filter((s) => s.destructive);
  // Messages, not rendered lines: a message's text and its blocks both carry the line.
  const texts = h.thread(jobId).map((m) => m.text ?? '');
  const out: string[] = [];
  for (const s of steps) {
    const n = texts.filter((t) => t.startsWith(`✅ *${s.label}*`)).length;
    if (n > 1) out.push(`destructive step "${s.label}" reported done ${n} times in the thread`);
  }
  return out;
}

/**
 * Approval messages in the thread, live or already decided, by the action they ask about. A wait's "Keep
 * waiting another …?" is asked again, in the same words, at each round's deadline by design: those are left out.
 */
function approvalCounts(h: Harness, jobId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of h.thread(jobId)) {
    const action = questionAction(m.text ?? '');
    if (action !== undefined && !/Keep waiting another /.test(action)) counts.set(action, (counts.get(action) ?? 0) + 1);
  }
  return counts;
}

export { SOAK_SPEED };
