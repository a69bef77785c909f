/**
 * The sandbox's rules run by src/rules (the rule engine of /elk alert-test), playing Elastalert's daemon where
 * the real one is not installed: each match is sent to the bot's own webhook as Elastalert's `post` alerter
 * sends it (the match's fields plus http_post_static_payload, the secret in X-Elk-Ops-Secret).
 *
 * The rule state lives across runs, as in elastalert.py: each run re-reads the last buffer_time and feeds the
 * rule only documents it has not seen (by _id). Re-evaluating a window from scratch each minute instead (the
 * first version) lost alerts: a document written just after a run was read made a later evaluation match in a
 * run already reported, and the spike rule then waits two timeframes, so the match was never sent.
 */
import type { Client } from '@elastic/elasticsearch';
import { createEsClient } from '../../src/elasticsearch/client';
import { ruleDataFor } from '../../src/elasticsearch/rule-data';
import { createEngine, validateRule, type RuleConfig, type RuleData } from '../../src/rules';
import { BUFFER_TIME, MINUTE, sandboxRules, staticPayload, type RuleRuns, type RuleRunsOptions } from './rule-runs';

interface RunningRule {
  rule: RuleConfig;
  engine: ReturnType<typeof createEngine>;
  data: RuleData;
  /** _id → timestamp of documents already fed to the rule, kept while a run can still read them. */
  seen: Map<string, number>;
  silencedUntil: Map<string, number>;
}

export function startEngineRuns(o: RuleRunsOptions): RuleRuns {
  const es: Client = createEsClient(o.config.clusters[o.cluster].elasticsearch);
  const rules: RunningRule[] = [];
  for (const r of sandboxRules(o)) {
    const v = validateRule(r);
    if (!v.rule) {
      o.log.warn({ file: r.file }, 'sandbox alerts: rule is not valid, not run');
      continue;
    }
    rules.push({ rule: v.rule, engine: createEngine(v.rule), data: ruleDataFor(es, v.rule), seen: new Map(), silencedUntil: new Map() });
  }
  let previousEnd: number | undefined;

  const post = async (rule: RuleConfig, match: Record<string, unknown>): Promise<number> => {
    const res = await fetch(`${o.botUrl}/elastalert/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json;charset=utf-8', 'X-Elk-Ops-Secret': o.secret },
      body: JSON.stringify({ ...match, ...staticPayload(rule.props, rule.name, o.cluster) }),
    });
    if (res.ok) return 1;
    o.log.warn({ rule: rule.name, status: res.status, body: (await res.text()).slice(0, 200) }, 'sandbox alerts: the bot refused a match');
    return 0;
  };

  const runRule = async (r: RunningRule, end: number): Promise<number> => {
    const { rule, engine, data } = r;
    const buffer = rule.bufferTimeMs ?? BUFFER_TIME;
    // A late run (the loop was busy) covers the gap, as the daemon's starttime = previous_endtime does.
    const from = Math.min(end - buffer, previousEnd ?? end - buffer);
    const since = previousEnd ?? end - (rule.runEveryMs ?? MINUTE);
    let hits = 0;
    if (rule.useCountQuery) {
      hits = await data.count(since, end);
      engine.addCountData(end, hits);
    } else if (rule.useTermsQuery && data.terms) {
      const buckets = await data.terms(since, end, rule.queryKey!, Number(rule.props.terms_size ?? 50));
      hits = buckets.length; // what Elastalert's get_hits_terms adds to num_hits
      engine.addTermsData(end, buckets);
    } else {
      const read = await data.events(from, end);
      const fresh = read.filter((e) => !r.seen.has(String(e.fields._id)));
      for (const e of fresh) r.seen.set(String(e.fields._id), e.ts);
      for (const [id, ts] of r.seen) if (ts <= end - buffer) r.seen.delete(id);
      // num_hits counts every hit the run read, documents already seen included, as Elastalert's does.
      hits = read.length;
      if (fresh.length) engine.addData(fresh);
    }
    engine.garbageCollect(end);
    const now = end + rule.queryDelayMs;
    const matches = engine.takeMatches();
    let sent = 0;
    for (const m of matches) {
      const silence = `${rule.name}.${m.key}`;
      if (now < (r.silencedUntil.get(silence) ?? -Infinity)) continue;
      if (rule.realertMs) r.silencedUntil.set(silence, now + rule.realertMs);
      sent += await post(rule, { ...m.match, num_hits: hits, num_matches: matches.length });
    }
    return sent;
  };

  return {
    source: 'the elk-ops rule engine (src/rules)',
    run: async (end) => {
      let sent = 0;
      for (const r of rules) {
        try {
          sent += await runRule(r, end);
        } catch (e) {
          o.log.warn({ rule: r.rule.name, err: (e as Error).message }, 'sandbox alerts: rule run failed');
        }
      }
      previousEnd = end;
      return sent;
    },
    close: () => es.close(),
  };
}
