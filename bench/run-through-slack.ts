/**
 * Runs one /elk command the way a team does: typed in the Slack emulator, queued in BullMQ on a real Redis,
 * run by a worker process with the product's runner, with an approver who clicks Approve the moment a
 * question appears. Benches time the job by the cluster's clock; nothing here takes a shortcut past the bot.
 */
import { Queue } from 'bullmq';
import { queueName } from '../src/queues/names';
import { connectRedis } from '../src/queues/redis';
import type { JobData, JobKind } from '../src/runner/types';
import { startHarness, type Harness, type HarnessOptions } from '../test/helpers/harness';

export interface SlackRun {
  jobId: string;
  outcome: string;
  /** Clock ms from the command to the job's last recorded step. */
  clockMs: number;
  wallMs: number;
  approvals: number;
  /** Questions the bench did not answer Yes to: overrides of a safety predicate are findings, not clicks. */
  overridesAsked: string[];
  records: Array<{ step: string; startedAt: number; finishedAt: number }>;
  data: JobData;
  harness: Harness;
}

export async function runThroughSlack(command: string, options: HarnessOptions & { timeoutMs?: number }): Promise<SlackRun> {
  const h = await startHarness(options);
  await workerReady(h, command.split(' ')[0] as JobKind);
  const wall0 = Date.now();
  const clock0 = h.clock.now();
  const reply = await h.command('alice', command);
  const jobId = /queued .*?as (?:job )?`?([^`\s:]+)`?/.exec(reply)?.[1];
  if (!jobId) {
    await h.close();
    throw new Error(`"/elk ${command}" did not queue a job: ${reply}`);
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  const answered = new Set<string>();
  const overridesAsked: string[] = [];
  let approvals = 0;
  for (;;) {
    const s = await h.job(jobId);
    if (s && (s.state === 'completed' || s.state === 'failed')) {
      const records = s.data.records.map((r) => ({ step: r.step, startedAt: r.startedAt, finishedAt: r.finishedAt }));
      const last = records.at(-1)?.finishedAt ?? h.clock.now();
      return { jobId, outcome: s.state === 'failed' ? `failed: ${s.failedReason}` : String(s.returnvalue?.outcome ?? 'completed'), clockMs: last - clock0, wallMs: Date.now() - wall0, approvals, overridesAsked, records, data: s.data, harness: h };
    }
    const p = s?.data.pendingApproval;
    if (p?.postedTs && !answered.has(p.id)) {
      answered.add(p.id);
      if (p.purpose === 'override') {
        overridesAsked.push(p.request.action);
        await h.reject('bob', jobId);
      } else {
        approvals++;
        await h.approve('bob', jobId);
      }
    }
    if (Date.now() > deadline) {
      await h.close();
      throw new Error(`${jobId} did not finish in time (state ${s?.state})\n${h.threadText(jobId).slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The worker process takes seconds to boot; the job's clock starts when someone could actually run it. */
async function workerReady(h: Harness, kind: JobKind): Promise<void> {
  const connection = connectRedis(h.config.redis.url);
  const queue = new Queue(queueName(kind), { connection, prefix: h.prefix });
  try {
    const deadline = Date.now() + 60_000;
    while ((await queue.getWorkers()).length === 0) {
      if (Date.now() > deadline) throw new Error('no worker connected within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await queue.close();
    await connection.quit();
  }
}
