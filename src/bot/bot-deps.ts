import type { Config } from '../config/schema';
import type { Logger } from '../log';
import type { SlackPoster } from '../slack/slack-poster';
import type { JobService } from './job-service';

/** What the listeners need; built once in create-bot.ts. */
export interface BotDeps {
  config: Config;
  jobs: JobService;
  slack: SlackPoster;
  log: Logger;
}
