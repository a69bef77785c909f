/**
 * The bot (or a worker) for a bench, in its own process so the sender's event loop does not inflate the figures.
 * Forked by bench/fork-bot.ts; BENCH_BOT_CONFIG holds the config, BENCH_BOT_ROLE `bot` (default) or `worker`.
 */
import { cancelCommand } from '../commands/cancel';
import { helpCommand } from '../commands/help';
import { statusCommand } from '../commands/status';
import type { Command } from '../commands/types';
import { configSchema } from '../src/config/schema';
import { createLogger } from '../src/log';
import { startRuntime } from '../src/start-runtime';
import { demoCommand, demoJob } from '../test/fixtures/demo-job';

const commands: Command<any>[] = [];
commands.push(helpCommand(() => commands), demoCommand, statusCommand, cancelCommand);
const config = configSchema.parse(JSON.parse(process.env.BENCH_BOT_CONFIG!));
const role = process.env.BENCH_BOT_ROLE === 'worker' ? 'worker' : 'bot';
const runtime = await startRuntime(config, { role, log: createLogger('bench', process.env.LOG_LEVEL ?? 'warn'), modules: { demo: demoJob }, commands });
process.send?.('ready');
// The bench that forked us is gone (killed, or a timeout): a bot left behind would go on taking jobs.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', async () => {
  await runtime.close();
  process.exit(0);
});
