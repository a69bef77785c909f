/**
 * The sandbox's Elastalert: every clock minute the team's rules (sim/sandbox/rules) are evaluated by src/rules
 * over the simulated cluster, and each new match is sent to the bot's own webhook as Elastalert's `post`
 * alerter sends it (the match's fields plus http_post_static_payload, the secret in X-Elk-Ops-Secret), so
 * pressing "Start a 5xx spike" ends in an alert thread in the console, through the same intake as production.
 *
 * Simplified daemon: instead of keeping the rule's state between runs, each tick re-evaluates the last three
 * timeframes (enough for a spike's reference window to fill) and sends only alerts of runs newer than the
 * last tick's; the bot's dedupe key would drop a repeat anyway.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../../src/clock';
import type { Config } from '../../src/config/schema';
import { createEsClient } from '../../src/elasticsearch/client';
import { ruleDataFor } from '../../src/elasticsearch/rule-data';
import type { Logger } from '../../src/log';
import { evaluateRule, loadRulesFromFolder, validateRule, type RuleConfig } from '../../src/rules';

const MINUTE = 60_000;

export interface AlertLoopOptions {
  config: Config;
  cluster: string;
  clock: Clock;
  /** The bot's base URL; matches go to `${botUrl}/elastalert/post`. */
  botUrl: string;
  secret: string;
  log: Logger;
}

export interface AlertLoop {
  /** Matches the bot accepted so far. */
  sent(): number;
  close(): Promise<void>;
}

export function startAlertLoop(o: AlertLoopOptions): AlertLoop {
  const loaded = loadRulesFromFolder(o.config.elastalert.rulesDir, { environment: o.cluster, values: o.config.elastalert.values[o.cluster] ?? {} });
  const rules: RuleConfig[] = [];
  for (const r of loaded.rules) {
    const v = validateRule(r);
    if (v.rule) rules.push(v.rule);
    else o.log.warn({ file: r.file }, 'sandbox alert loop: rule is not valid, not run');
  }
  const es: Client = createEsClient(o.config.clusters[o.cluster].elasticsearch);
  let lastAlertedAt = o.clock.now();
  let sent = 0;
  let busy: Promise<void> | undefined;

  const post = async (rule: RuleConfig, match: Record<string, unknown>) => {
    const statics = (rule.props.http_post_static_payload as Record<string, unknown> | undefined) ?? { rule_name: rule.name, cluster: o.cluster };
    const res = await fetch(`${o.botUrl}/elastalert/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Elk-Ops-Secret': o.secret },
      body: JSON.stringify({ ...match, ...statics }),
    });
    if (res.ok) sent++;
    else o.log.warn({ rule: rule.name, status: res.status, body: (await res.text()).slice(0, 200) }, 'sandbox alert loop: the bot refused a match');
  };

  const tick = async () => {
    // Runs end on clock minutes, as the daemon's run_every: 1 minute does.
    const end = Math.floor(o.clock.now() / MINUTE) * MINUTE;
    let newest = lastAlertedAt;
    for (const rule of rules) {
      const tf = rule.timeframeMs ?? 15 * MINUTE;
      const from = end - Math.ceil((3 * tf) / MINUTE) * MINUTE;
      try {
        const ev = await evaluateRule(rule, ruleDataFor(es, rule), { from, to: end, runEveryMs: MINUTE, readAhead: true, render: false });
        for (const a of ev.alerts.filter((x) => x.alertedAt > lastAlertedAt)) {
          await post(rule, a.match);
          newest = Math.max(newest, a.alertedAt);
        }
      } catch (e) {
        o.log.warn({ rule: rule.name, err: (e as Error).message }, 'sandbox alert loop: rule run failed');
      }
    }
    lastAlertedAt = Math.max(newest, end);
  };

  const timer = setInterval(() => {
    if (!busy) busy = tick().finally(() => (busy = undefined));
  }, Math.max(200, o.clock.toReal(MINUTE)));
  return {
    sent: () => sent,
    close: async () => {
      clearInterval(timer);
      await busy;
      await es.close();
    },
  };
}
