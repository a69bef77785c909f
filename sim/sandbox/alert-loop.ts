/**
 * The sandbox's Elastalert daemon: every clock minute the team's rules (sim/sandbox/rules) run over the
 * simulated cluster through src/rules, and each match is sent to the bot's own webhook as Elastalert's `post`
 * alerter sends it (the match's fields plus http_post_static_payload, the secret in X-Elk-Ops-Secret), so
 * pressing "Start a 5xx spike" ends in an alert thread in the console, through the same intake as production.
 *
 * The rule state lives across runs, as in elastalert.py: each run re-reads the last buffer_time and feeds the
 * rule only documents it has not seen (by _id). Re-evaluating a window from scratch each minute instead (the
 * first version) lost alerts: a document written just after a run was read made a later evaluation match in a
 * run already reported, and the spike rule then waits two timeframes, so the match was never sent.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../../src/clock';
import type { Config } from '../../src/config/schema';
import { createEsClient } from '../../src/elasticsearch/client';
import { ruleDataFor } from '../../src/elasticsearch/rule-data';
import type { Logger } from '../../src/log';
import { createEngine, loadRulesFromFolder, validateRule, type RuleConfig, type RuleData } from '../../src/rules';

const MINUTE = 60_000;
/** The daemon's global buffer_time (Elastalert's example config.yaml). The first run also reads this far back. */
const BUFFER_TIME = 15 * MINUTE;

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

interface RunningRule {
  rule: RuleConfig;
  engine: ReturnType<typeof createEngine>;
  data: RuleData;
  /** _id → timestamp of documents already fed to the rule, kept while a run can still read them. */
  seen: Map<string, number>;
  silencedUntil: Map<string, number>;
}

export function startAlertLoop(o: AlertLoopOptions): AlertLoop {
  const es: Client = createEsClient(o.config.clusters[o.cluster].elasticsearch);
  const rules = loadSandboxRules(o, es);
  let previousEnd: number | undefined;
  let sent = 0;
  let busy: Promise<void> | undefined;

  const post = async (rule: RuleConfig, match: Record<string, unknown>) => {
    const statics = (rule.props.http_post_static_payload as Record<string, unknown> | undefined) ?? { rule_name: rule.name, cluster: o.cluster };
    const res = await fetch(`${o.botUrl}/elastalert/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json;charset=utf-8', 'X-Elk-Ops-Secret': o.secret },
      body: JSON.stringify({ ...match, ...statics }),
    });
    if (res.ok) sent++;
    else o.log.warn({ rule: rule.name, status: res.status, body: (await res.text()).slice(0, 200) }, 'sandbox alert loop: the bot refused a match');
  };

  const runRule = async (r: RunningRule, end: number) => {
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
      hits = buckets.reduce((s, b) => s + b.doc_count, 0);
      engine.addTermsData(end, buckets);
    } else {
      const fresh = (await data.events(from, end)).filter((e) => !r.seen.has(String(e.fields._id)));
      for (const e of fresh) r.seen.set(String(e.fields._id), e.ts);
      for (const [id, ts] of r.seen) if (ts <= end - buffer) r.seen.delete(id);
      hits = fresh.length;
      if (fresh.length) engine.addData(fresh);
    }
    engine.garbageCollect(end);
    const now = end + rule.queryDelayMs;
    const matches = engine.takeMatches();
    for (const m of matches) {
      const silence = `${rule.name}.${m.key}`;
      if (now < (r.silencedUntil.get(silence) ?? -Infinity)) continue;
      if (rule.realertMs) r.silencedUntil.set(silence, now + rule.realertMs);
      await post(rule, { ...m.match, num_hits: hits, num_matches: matches.length });
    }
  };

  const tick = async () => {
    const end = Math.floor(o.clock.now() / MINUTE) * MINUTE;
    if (previousEnd !== undefined && end <= previousEnd) return;
    for (const r of rules) {
      try {
        await runRule(r, end);
      } catch (e) {
        o.log.warn({ rule: r.rule.name, err: (e as Error).message }, 'sandbox alert loop: rule run failed');
      }
    }
    previousEnd = end;
  };

  // Checked four times a clock minute, so each run starts soon after its minute ends.
  const timer = setInterval(() => {
    if (!busy) busy = tick().finally(() => (busy = undefined));
  }, Math.max(100, o.clock.toReal(MINUTE) / 4));
  return {
    sent: () => sent,
    close: async () => {
      clearInterval(timer);
      await busy;
      await es.close();
    },
  };
}

function loadSandboxRules(o: AlertLoopOptions, es: Client): RunningRule[] {
  const loaded = loadRulesFromFolder(o.config.elastalert.rulesDir, { environment: o.cluster, values: o.config.elastalert.values[o.cluster] ?? {} });
  for (const issue of loaded.issues) o.log.warn({ ...issue }, 'sandbox alert loop: rule not loaded');
  const out: RunningRule[] = [];
  for (const r of loaded.rules) {
    const v = validateRule(r);
    if (!v.rule) {
      o.log.warn({ file: r.file }, 'sandbox alert loop: rule is not valid, not run');
      continue;
    }
    out.push({ rule: v.rule, engine: createEngine(v.rule), data: ruleDataFor(es, v.rule), seen: new Map(), silencedUntil: new Map() });
  }
  return out;
}
