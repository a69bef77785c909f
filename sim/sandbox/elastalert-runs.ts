/**
 * The sandbox's rules run by the real Elastalert daemon (Debian's 0.2.4) on the sandbox clock
 * (sim/elastalert/clocked-daemon.py): its own queries, rule state, realert and `post` alerter, which POSTs each
 * match to the bot's webhook exactly as it would in production.
 */
import { defaultRuleName } from '../../src/rules/load-rules';
import { startClockedDaemon } from '../elastalert/clocked-daemon';
import { sandboxRules, staticPayload, type RuleRuns, type RuleRunsOptions } from './rule-runs';

export async function startElastalertRuns(o: RuleRunsOptions): Promise<RuleRuns> {
  const rules: Record<string, Record<string, unknown>> = {};
  for (const r of sandboxRules(o)) {
    const name = String(r.raw.name ?? defaultRuleName(r.file));
    // Only the alerter's address and secret change, as a team points an existing rule at elk-ops.
    rules[r.file.replace(/[/\\]/g, '__')] = {
      ...r.raw,
      alert: ['post'],
      http_post_url: `${o.botUrl}/elastalert/post`,
      http_post_headers: { 'X-Elk-Ops-Secret': o.secret },
      http_post_static_payload: staticPayload(r.raw, name, o.cluster),
    };
  }
  const daemon = await startClockedDaemon({ esUrl: o.config.clusters[o.cluster].elasticsearch.url, rules, log: o.log });
  o.log.info({ rules: daemon.rules }, 'sandbox alerts: the real Elastalert daemon runs the rules');
  return {
    source: 'Elastalert 0.2.4 (Debian\'s elastalert), its daemon on the sandbox clock',
    run: async (end) => {
      const written = await daemon.run(end);
      for (const [type, body] of written) {
        if (type === 'elastalert_error') o.log.warn({ error: body.message }, 'sandbox alerts: Elastalert reported an error');
        if (type === 'elastalert_status') o.log.debug({ rule: body.rule_name, hits: body.hits, matches: body.matches }, 'sandbox alerts: Elastalert ran a rule');
      }
      return written.filter(([type, body]) => type === 'elastalert' && body.alert_sent === true).length;
    },
    close: () => daemon.close(),
  };
}
