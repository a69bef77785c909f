/**
 * How many Slack Web API calls one job step costs. Runs the demo job (N items: a plan step, then per item a
 * prepare step with 4 progress updates and a destructive step that asks for approval) through the real bot,
 * worker and Slack emulator, with Slack's production pacing (1 message per second per channel, bursts of 3) and the
 * emulator enforcing Slack's published rate limits (429 + Retry-After),
 * approving every step as bob. Counts what reached the emulator, by method and by purpose.
 */
import { startDemoHarness } from '../test/backbone/demo-harness';
import { jobIdIn } from '../test/helpers/job-id';
import { startRedis } from '../sim/sandbox/redis-server';
import type { CallRecord } from '../sim/slack';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 8);
/** The demo fixture reports progress 4 times per prepare step; all but the newest may be coalesced away. */
const PROGRESS_PER_PREPARE = 4;
const deadline = setTimeout(() => {
  console.error('slack-calls-per-step: gave up after 110 s');
  process.exit(1);
}, 110_000);

const redis = await startRedis();
process.env.REDIS_URL = redis.url;
const h = await startDemoHarness({ realisticRateLimits: true, config: { slack: { pace: { perSecond: 1, burst: 3 } } } });
try {
  const started = Date.now();
  const reply = await h.command('alice', `demo prod --items ${ITEMS} --prepare-ms 4000`);
  const jobId = jobIdIn(reply);
  for (let i = 0; i < ITEMS; i++) await h.approve('bob', jobId);
  const done = await h.waitForJob(jobId, { until: 'completed', timeoutMs: 90_000 });
  await new Promise((r) => setTimeout(r, 2000)); // the last coalesced card edit lands up to 1.5 s after the end
  const steps = done.data.records.length;

  const calls = h.slack.calls.filter((c) => c.at >= started && c.ok);
  const byMethod = countBy(calls, (c) => c.method);
  const byPurpose = countBy(calls, (c) => purpose(c, h.card(jobId)?.ts));
  const progressSent = byPurpose.get('progress') ?? 0;
  const progressEmitted = ITEMS * PROGRESS_PER_PREPARE;

  console.log(`Slack calls for one demo job: ${ITEMS} items, ${steps} steps, ${ITEMS} approvals, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`  total ${calls.length} calls = ${(calls.length / steps).toFixed(2)} per step (Slack's published limits on: ${h.slack.calls.filter((c) => c.at >= started && c.status === 429).length} of ${h.slack.calls.filter((c) => c.at >= started).length} calls answered 429)`);
  console.log('  by method:');
  for (const [m, n] of byMethod) console.log(`    ${m.padEnd(22)} ${String(n).padStart(4)}   ${(n / steps).toFixed(2)} per step`);
  console.log('  by purpose:');
  for (const [p, n] of byPurpose) console.log(`    ${p.padEnd(22)} ${String(n).padStart(4)}   ${(n / steps).toFixed(2)} per step`);
  console.log(`  progress: ${progressEmitted} updates emitted, ${progressSent} sent, ${progressEmitted - progressSent} coalesced away`);
} finally {
  clearTimeout(deadline);
  await h.close();
  await redis.stop();
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) {
    const k = key(i);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return new Map([...m].sort((a, b) => b[1] - a[1]));
}

/** What a call was for, told from its arguments: the card, a progress line, an approval, or a step's reply. */
function purpose(c: CallRecord, cardTs: string | undefined): string {
  const text = String(c.args.text ?? '');
  const blocks = JSON.stringify(c.args.blocks ?? '');
  if (c.method === 'chat.postEphemeral') return 'ephemeral answer';
  if (c.method === 'chat.getPermalink') return 'permalink';
  if (c.method === 'chat.postMessage' && !c.args.thread_ts) return 'card posted';
  if (c.method === 'chat.update' && c.args.ts === cardTs) return 'card edited';
  if (/\d+ of \d+ slices/.test(text)) return 'progress';
  if (blocks.includes('approval_approve')) return 'approval asked';
  if (c.method === 'chat.update') return 'approval decided';
  return 'step reply';
}
