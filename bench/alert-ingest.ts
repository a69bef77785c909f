/**
 * Alert ingestion and delivery cost, printed (no assertions):
 *  1. the webhook on loopback: alerts/s and latency to the 2xx (p50/p99), alerts persisted (goal ≥ 2,000/s, p99 < 50 ms);
 *  2. a 1,000-alert burst on one rule with the Slack emulator's realistic rate limits on: Slack chat.* calls per
 *     alert (goal ≤ 0.1; Elastalert's own slack alerter makes 1.0 per alert: the denominator), alerts lost;
 *  3. outside a burst, from the POST to the alert's parent message in Slack (p50/p99; goal p99 < 1 s).
 * The bot and the delivery worker run in processes of their own (bench/bot-process.ts), as in production; the
 * sender, Redis and the Slack emulator share the same 2 cores, so the figures are an upper bound.
 *   npx tsx bench/alert-ingest.ts [ingestCount=5000] [concurrency=32]
 */
import { Queue } from 'bullmq';
import { Agent, request } from 'undici';
import { ALERT_QUEUE } from '../src/alerts/alert-queue';
import { AlertGroups } from '../src/alerts/alert-groups';
import { configSchema } from '../src/config/schema';
import { connectRedis } from '../src/queues/redis';
import { freePort, startRedis } from '../sim/sandbox/redis-server';
import { startSlackEmulator } from '../sim/slack';
import { forkBot } from './fork-bot';

const INGEST = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const BURST = 1000;
const SECRET = 'bench-secret';

const redisServer = process.env.REDIS_URL ? undefined : await startRedis();
const redisUrl = process.env.REDIS_URL ?? redisServer!.url;
const emu = await startSlackEmulator({
  signingSecret: 'bench-signing',
  botToken: 'xoxb-bench',
  realisticRateLimits: true,
  channels: [{ id: 'C0INGEST', name: 'ingest' }, { id: 'C0BURST', name: 'burst' }, { id: 'C0LATENCY', name: 'latency' }],
});
const port = await freePort();
const prefix = `bench-alerts-${process.pid}`;
const rawConfig = {
  slack: { botToken: 'xoxb-bench', signingSecret: 'bench-signing', apiUrl: emu.apiUrl, port, host: '127.0.0.1' },
  redis: { url: redisUrl, prefix },
  clusters: { prod: { opsChannel: 'C0INGEST', elasticsearch: { url: 'http://127.0.0.1:9' } } },
  elastalert: { webhookSecret: SECRET, routes: { 'Ingest rule': 'C0INGEST', 'Burst rule': 'C0BURST' }, alerts: { flushInterval: '1s', defaultChannel: 'C0LATENCY' } },
};
configSchema.parse(rawConfig); // a bad bench config fails here, not in the child
const bot = await forkBot(rawConfig, 'bot');
const redis = connectRedis(redisUrl);
const queue = new Queue(ALERT_QUEUE, { connection: redis, prefix });
const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
const url = `http://127.0.0.1:${port}/elastalert/post`;

const match = (rule: string, i: number) =>
  JSON.stringify({ '@timestamp': new Date(Date.UTC(2024, 0, 1, 10) + i * 1000).toISOString(), Status: 500 + (i % 4), host: `api-${i % 3}`, path: '/api/orders', _index: 'logstash-2024.01.01', spike_count: 6, reference_count: 3, num_hits: 25, num_matches: 1, rule_name: rule });

async function send(rule: string, n: number): Promise<{ ms: number[]; wallMs: number; non2xx: number }> {
  const ms: number[] = [];
  let next = 0;
  let non2xx = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const body = match(rule, i);
        const s = performance.now();
        const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-elk-ops-secret': SECRET }, dispatcher });
        await res.body.dump();
        ms.push(performance.now() - s);
        if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
      }
    }),
  );
  return { ms, wallMs: performance.now() - t0, non2xx };
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// 1. Ingestion, bot only: every 2xx means the alert is in Redis.
await send('Ingest rule', 200); // warm-up (JIT, connections), not counted
await queue.drain(true);
const ing = await send('Ingest rule', INGEST);
const persisted = await queue.getJobCountByTypes('waiting', 'active', 'completed', 'delayed');
console.log(`ingest: ${INGEST} alerts, concurrency ${CONCURRENCY}: ${Math.round(INGEST / (ing.wallMs / 1000))} alerts/s; to the 2xx p50 ${pct(ing.ms, 50).toFixed(1)} ms, p99 ${pct(ing.ms, 99).toFixed(1)} ms; non-2xx ${ing.non2xx}; persisted ${persisted}/${INGEST}`);

// 2. The burst, delivered by a worker, with Slack's rate limits on.
const worker = await forkBot(rawConfig, 'worker');
const groups = new AlertGroups(redis, prefix);
const callsBefore = emu.emulator.calls.length;
const t0 = Date.now();
await send('Burst rule', BURST);
let group;
for (;;) {
  const gids = (await redis.keys(`${prefix}:alerts:g:*`)).filter((k) => /:g:[0-9a-f]{20}$/.test(k)).map((k) => k.split(':').pop()!);
  const all = await Promise.all(gids.map((g) => groups.get(g)));
  group = all.find((g) => g?.channel === 'C0BURST');
  if (group && group.count >= BURST && group.pending === 0 && group.ver === group.parentVer && !group.intent) break;
  if (Date.now() - t0 > 120_000) break;
  await new Promise((r) => setTimeout(r, 100));
}
const calls = emu.emulator.calls.slice(callsBefore).filter((c) => c.method.startsWith('chat.') && c.args.channel === 'C0BURST');
const limited = calls.filter((c) => c.status === 429).length;
const replies = emu.emulator.workspace.allMessages('C0BURST').filter((m) => m.thread_ts && m.thread_ts !== m.ts);
const shown = replies.reduce((n, m) => n + Number(/(\d+) more alerts? for/.exec(m.text)?.[1] ?? 0), 0) + 1;
console.log(
  `burst: ${BURST} alerts on one rule → ${calls.length} Slack chat.* calls (${limited} answered 429) = ${(calls.length / BURST).toFixed(3)} per alert ` +
    `(Elastalert's slack alerter: ${BURST} calls = 1.000 per alert); counted ${group?.count ?? 0}/${BURST}, shown in the thread ${shown}/${BURST}, lost ${BURST - (group?.count ?? 0)}; settled in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

// 3. One alert at a time, each a rule of its own (so each opens a thread), 1.1 s apart: Slack allows about one message per second per channel.
const LATENCY_ALERTS = 40;
const parentMs: number[] = [];
for (let i = 0; i < LATENCY_ALERTS; i++) {
  const rule = `Latency rule ${i}`;
  const seen = new Promise<number>((resolve) => {
    const on = (e: { kind: string; message: { channel: string; text?: string; thread_ts?: string; ts: string } }) => {
      if (e.kind !== 'posted' || e.message.channel !== 'C0LATENCY' || (e.message.thread_ts && e.message.thread_ts !== e.message.ts)) return;
      if (!(e.message.text ?? '').includes(rule)) return;
      emu.emulator.workspace.events.off('change', on);
      resolve(performance.now());
    };
    emu.emulator.workspace.events.on('change', on);
  });
  const s = performance.now();
  const res = await request(url, { method: 'POST', body: match(rule, i), headers: { 'content-type': 'application/json', 'x-elk-ops-secret': SECRET }, dispatcher });
  await res.body.dump();
  const at = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(NaN), 10_000))]);
  parentMs.push(at - s);
  await new Promise((r) => setTimeout(r, 1100 - Math.min(1100, performance.now() - s)));
}
const posted = parentMs.filter(Number.isFinite);
console.log(
  `webhook → parent in Slack, ${LATENCY_ALERTS} alerts one at a time (each a new thread): p50 ${pct(posted, 50).toFixed(0)} ms, p99 ${pct(posted, 99).toFixed(0)} ms, max ${Math.max(...posted).toFixed(0)} ms; ` +
    `parents seen ${posted.length}/${LATENCY_ALERTS}`,
);

await worker.close();
await bot.close();
await queue.close();
await redis.quit();
await dispatcher.close();
await emu.close();
await redisServer?.stop();
process.exit(0);
