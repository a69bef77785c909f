/** The bot for bench/ack-latency.ts, in its own process so the sender's event loop does not inflate the figures. */
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
const config = configSchema.parse(JSON.parse(process.env.ACK_BENCH_CONFIG!));
const runtime = await startRuntime(config, { role: 'bot', log: createLogger('bench', 'warn'), modules: { demo: demoJob }, commands });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await runtime.close();
  process.exit(0);
});
