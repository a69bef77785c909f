/**
 * One Elastalert alert as the webhook received it, reduced to what delivery needs. Built at the door so a
 * malformed body is refused (400) before anything is persisted, and the worker never re-parses HTTP bodies.
 */
export type AlertSource = 'post' | 'post2' | 'slack';

export interface IncomingAlert {
  source: AlertSource;
  /** Dedupe key: the same POST retried by Elastalert has the same id, so it is counted and posted once. */
  id: string;
  rule: string;
  /** The match's own time (its @timestamp), epoch ms, when the body carries one. */
  matchTs?: number;
  /** The rule's query_key and its value in this match: alerts of one rule are grouped per value. */
  queryKey?: { field: string; value: string };
  /** The match's _index, for routing by index pattern. */
  index?: string;
  /** A cluster named by the payload (http_post_static_payload: { cluster: prod }). */
  cluster?: string;
  /** The match document (post, post2) or the Slack attachment's fields (slack), already size-limited. */
  fields: Record<string, unknown>;
  /** Text the sender rendered itself (the Slack alerter's body); shown when the rule file is not known. */
  text?: string;
  /** Slack alerter's title and title_link. */
  title?: string;
  titleLink?: string;
  /** How bad, as the payload says (http_post_static_payload: { severity: critical }); a route's severity wins. */
  severity?: string;
  /**
   * Set on an alert sent by `/elk alert-test --post`: it is routed as `rule` would be, but kept in a group of its
   * own (its rule name says TEST), never carries a severity, so it never holds an upgrade.
   */
  test?: { rule: string; by: string; job: string };
  /** Clock time the bot accepted it. */
  receivedAt: number;
}
