import { alertTestCommand } from './alert-test';
import { cancelCommand } from './cancel';
import { helpCommand } from './help';
import { reindexCommand } from './reindex';
import { statusCommand } from './status';
import { upgradeCommand } from './upgrade';
import type { Command } from './types';

/** Every /elk subcommand, in the order /elk help lists them. */
export const commands: Command<any>[] = [];
commands.push(helpCommand(() => commands), upgradeCommand, reindexCommand, alertTestCommand, statusCommand, cancelCommand);
