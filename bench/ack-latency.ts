/**
 * Slash-command acknowledgement latency, HTTP mode, 50 commands at once (BENCH_CONCURRENCY): the emulator signs
 * and POSTs each like Slack and times it until the bot's answer arrives. Slack gives up after 3000 ms; the goal
 * is p99 < 100 ms.
 * The bot runs in a child process of its own (bench/bot-process.ts), as it would in production.
 */
import { randomBytes } from 'node:crypto';
import { freePort, startRedis } from '../sim/sandbox/redis-server';
import { startSlackEmulator } from '../sim/slack';
import { forkBot } from './fork-bot';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const deadline = setTimeout(() => {
  console.error('ack-latency: gave up after 110 s');
  process.exit(1);
}, 110_000);

// Every enqueue gets a cluster of its own: one cluster would answer "busy" after the first, which is not an enqueue.
const clusterNames = Array.from({ length: (ROUNDS + 1) * CONCURRENCY }, (_, i) => `c${i}`);
const secrets = { botToken: `xoxb-${randomBytes(8).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };

const redis = await startRedis();
const botPort = await freePort();
const slack = await startSlackEmulator({
  ...secrets,
  requestUrl: `http://127.0.0.1:${botPort}/slack/events`,
  users: [{ id: 'U0ALICE', name: 'alice' }],
  channels: [{ id: 'C0OPS', name: 'elk-ops' }],
});
const config = {
  slack: { ...secrets, apiUrl: slack.apiUrl, port: botPort },
  redis: { url: redis.url, prefix: 'bench-ack' },
  clusters: Object.fromEntries(clusterNames.map((c) => [c, { opsChannel: 'C0OPS', elasticsearch: { url: 'http://127.0.0.1:9' } }])),
  access: { commands: { demo: { users: ['*'], channels: ['C0OPS'] } } },
};
const runtime = await forkBot(config);

let next = 0;
const kinds: Record<string, () => string> = {
  help: () => 'help',
  status: () => 'status',
  'demo (enqueue)': () => `demo ${clusterNames[next++]} --items 1`,
};

async function burst(text: () => string): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: CONCURRENCY }, () => slack.emulator.slashCommand({ user: 'U0ALICE', channel: 'C0OPS', text: text() })));
  const bad = results.find((r) => r.status !== 200);
  if (bad) throw new Error(`the bot answered HTTP ${bad.status}${bad.timedOut ? ' (timed out)' : ''} ${bad.error ?? ''}`);
  return results.map((r) => r.elapsedMs);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

try {
  // One unmeasured round: JIT, Redis connections and Bolt's first-request setup are not what is measured.
  for (const text of Object.values(kinds)) await burst(text);
  console.log(`slash-command ack latency, HTTP mode: ${ROUNDS} rounds × ${CONCURRENCY} concurrent commands per kind (ms, emulator-measured)`);
  console.log(`  ${'command'.padEnd(16)} ${['n', 'p50', 'p95', 'p99', 'max'].map((h) => h.padStart(7)).join('')}`);
  let worstP99 = 0;
  for (const [name, text] of Object.entries(kinds)) {
    const all: number[] = [];
    for (let r = 0; r < ROUNDS; r++) all.push(...(await burst(text)));
    all.sort((a, b) => a - b);
    const row = [all.length, percentile(all, 50), percentile(all, 95), percentile(all, 99), all[all.length - 1]];
    worstP99 = Math.max(worstP99, row[3]);
    console.log(`  ${name.padEnd(16)} ${row.map((v, i) => (i ? v.toFixed(1) : String(v)).padStart(7)).join('')}`);
  }
  console.log(`  worst p99 ${worstP99.toFixed(1)} ms — goal < 100 ms: ${worstP99 < 100 ? 'met' : 'NOT met'} (Slack's limit: 3000 ms)`);
} finally {
  clearTimeout(deadline);
  await runtime.close();
  await slack.close();
  await redis.stop();
}
