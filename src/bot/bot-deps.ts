import type { Config } from '../config/schema';
import type { Logger } from '../log';
import type { SlackPoster } from '../slack/slack-poster';
import type { JobService } from './job-service';
import type { AlertButtonDeps } from './listeners/actions/alert-buttons';

/** What the listeners need; built once in create-bot.ts. */
export interface BotDeps {
  config: Config;
  jobs: JobService;
  slack: SlackPoster;
  log: Logger;
  /** Alert threads' buttons (src/alerts); absent in bots built without them. */
  alerts?: AlertButtonDeps;
}
