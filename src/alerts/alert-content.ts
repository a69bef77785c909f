/**
 * What an alert says, distilled from one match: the spike's numbers, the HTTP status, the rendered alert_text.
 * Stored with the group (first and latest match) so the parent can be redrawn without the match documents.
 */
import type { Config } from '../config/schema';
import type { Logger } from '../log';
import { loadRulesFromFolder, renderAlertText, validateRule, type RuleConfig } from '../rules';
import { lookupField } from '../rules/lookup-field';
import type { IncomingAlert } from './incoming-alert';

export interface AlertSummary {
  ts?: number;
  spike?: { current?: number; reference?: number; height?: number; timeframe?: string };
  status?: number;
  numHits?: number;
  text?: string;
  /** True when `text` was cut to fit. */
  textCut?: boolean;
  textFrom?: 'rule' | 'payload';
  titleLink?: string;
  /** A TEST alert from `/elk alert-test --post`: the real rule's name, who sent it, from which job. */
  test?: { rule: string; by: string; job: string };
}

/** Field names the usual log shapes (IIS/ELB/nginx, ECS) use; the first present wins. */
export const TOP_FIELDS = {
  status: ['Status', 'status', 'response', 'status_code', 'response_code', 'http.response.status_code'],
  host: ['host', 'hostname', 'host.name', 'beat.hostname', 'server', 'Host'],
  path: ['path', 'url', 'uri', 'request', 'url.path', 'Path'],
} as const;

const TEXT_MAX = 1500;

function first(doc: Record<string, unknown>, names: readonly string[]): unknown {
  for (const n of names) {
    const v = lookupField(doc, n);
    if (v !== undefined && v !== null && v !== '' && typeof v !== 'object') return v;
  }
  return undefined;
}

const asNum = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() && Number.isFinite(Number(v)) ? Number(v) : undefined);

function timeframeText(v: unknown): string | undefined {
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, n]) => `${n} ${k}`).join(' ');
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** The rules folder, loaded once per cluster; an unreadable folder only means alert text comes from the payload. */
export class RuleBook {
  private readonly byCluster = new Map<string, Map<string, RuleConfig>>();

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  find(rule: string, cluster: string | undefined): RuleConfig | undefined {
    const env = cluster ?? Object.keys(this.config.clusters)[0];
    let rules = this.byCluster.get(env);
    if (!rules) {
      rules = new Map();
      try {
        const loaded = loadRulesFromFolder(this.config.elastalert.rulesDir, { environment: env, values: this.config.elastalert.values[env] ?? {}, secretNames: this.config.elastalert.secretNames });
        for (const r of loaded.rules) {
          const v = validateRule(r);
          if (v.rule) rules.set(v.rule.name, v.rule);
        }
      } catch (e) {
        this.log.debug({ err: (e as Error).message }, 'no Elastalert rules folder: alert text comes from the payload');
      }
      this.byCluster.set(env, rules);
    }
    return rules.get(rule);
  }
}

export function summarize(alert: IncomingAlert, rule: RuleConfig | undefined, log: Logger): AlertSummary {
  const f = alert.fields;
  const s: AlertSummary = { ts: alert.matchTs, titleLink: alert.titleLink, ...(alert.test ? { test: alert.test } : {}) };
  const current = asNum(f.spike_count);
  if (current !== undefined || rule?.type === 'spike') {
    s.spike = {
      current,
      reference: asNum(f.reference_count),
      height: asNum(f.spike_height) ?? rule?.spikeHeight,
      timeframe: timeframeText(f.timeframe) ?? (rule?.timeframeMs ? `${Math.round(rule.timeframeMs / 60_000)} minutes` : undefined),
    };
  }
  s.status = asNum(first(f, TOP_FIELDS.status));
  s.numHits = asNum(f.num_hits);
  let text: string | undefined;
  if (rule && alert.source !== 'slack') {
    try {
      text = renderAlertText(rule, f);
      s.textFrom = 'rule';
    } catch (e) {
      log.warn({ rule: alert.rule, err: (e as Error).message }, 'could not render alert_text; showing the payload\'s own text');
    }
  }
  if (text === undefined && alert.text) {
    text = alert.text;
    s.textFrom = 'payload';
  }
  if (text !== undefined) {
    s.textCut = text.length > TEXT_MAX;
    s.text = s.textCut ? text.slice(0, TEXT_MAX) : text;
  }
  return s;
}

/** The match's "field\tvalue" pairs counted for the parent's top lists. */
export function topPairs(alert: IncomingAlert): string[] {
  const out: string[] = [];
  for (const [kind, names] of Object.entries(TOP_FIELDS)) {
    const v = first(alert.fields, names);
    if (v !== undefined) out.push(`${kind}\t${String(v).slice(0, 120)}`);
  }
  return out;
}

/** The number the parent's "peak" shows: the spike's current count, else the hits the rule saw. */
export function peakOf(alert: IncomingAlert): number | undefined {
  return asNum(alert.fields.spike_count) ?? asNum(alert.fields.num_hits);
}
