import type { Config } from '../../src/config/schema';
import type { Logger } from '../../src/log';
import { loadRulesFromFolder, type LoadedRule } from '../../src/rules';

export const MINUTE = 60_000;
/** The daemon's global buffer_time (Elastalert's example config.yaml). The first run also reads this far back. */
export const BUFFER_TIME = 15 * MINUTE;

export interface RuleRunsOptions {
  config: Config;
  cluster: string;
  /** The bot's base URL; matches go to `${botUrl}/elastalert/post`. */
  botUrl: string;
  secret: string;
  log: Logger;
}

/** Whatever plays Elastalert's daemon in the sandbox: runs every rule at a clock time, posting matches to the bot. */
export interface RuleRuns {
  /** Who runs the rules, for the banner and the console. */
  source: string;
  /** Runs every rule up to clock time `end`; resolves to the number of alerts the bot accepted. */
  run(end: number): Promise<number>;
  close(): Promise<void>;
}

/** The sandbox's rules with the sandbox cluster's placeholder values filled, as the bot's own alert-test loads them. */
export function sandboxRules(o: RuleRunsOptions): LoadedRule[] {
  const loaded = loadRulesFromFolder(o.config.elastalert.rulesDir, { environment: o.cluster, values: o.config.elastalert.values[o.cluster] ?? {}, secretNames: o.config.elastalert.secretNames });
  for (const issue of loaded.issues) o.log.warn({ ...issue }, 'sandbox alerts: rule not loaded');
  return loaded.rules;
}

/** A rule's http_post_static_payload, or the rule name and cluster the bot routes by when it has none. */
export function staticPayload(props: Record<string, unknown>, name: string, cluster: string): Record<string, unknown> {
  return (props.http_post_static_payload as Record<string, unknown> | undefined) ?? { rule_name: name, cluster };
}
