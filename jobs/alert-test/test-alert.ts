/**
 * `/elk alert-test --post`: one would-have-fired match sent through the real delivery path (the alert queue
 * the webhooks fill), marked TEST, so a team sees where and how the rule's alerts would land. Its id comes from
 * the job and the match, so a step re-run after a crash enqueues nothing new.
 */
import type { IncomingAlert } from '../../src/alerts/incoming-alert';
import { dedupeKey } from '../../src/alerts/dedupe-key';
import { maskSecrets, type Alert, type RuleConfig } from '../../src/rules';

export function testAlert(rule: RuleConfig, a: Alert, o: { cluster: string; requester: string; jobId: string; now: number }): IncomingAlert {
  // It is posted to Slack by alert delivery: the rule's secret placeholder values stay masked there too.
  const mask = (t: string) => maskSecrets(t, rule.secretValues);
  const name = `[TEST] ${mask(rule.name)}`;
  const queryKey = rule.queryKey && a.key !== 'all' ? { field: rule.queryKey, value: a.key } : undefined;
  const index = typeof a.match._index === 'string' ? a.match._index : undefined;
  return {
    source: 'post',
    id: dedupeKey({ rule: name, matchTs: a.ts, queryKeyValue: queryKey?.value, body: { job: o.jobId } }),
    rule: name,
    matchTs: a.ts,
    queryKey,
    index,
    cluster: o.cluster,
    // The match as Elastalert's post alerter would send it: the document plus the counts the type added.
    fields: { ...a.match, ...a.counts },
    text: a.text === undefined ? undefined : mask(a.text),
    receivedAt: o.now,
    test: { rule: mask(rule.name), by: o.requester, job: o.jobId },
  };
}
