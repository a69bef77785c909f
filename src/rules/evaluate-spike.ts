/**
 * ruletypes.py SpikeRule, step for step: per query_key a current window (one timeframe) whose evicted events
 * feed a reference window (the timeframe before it). No check until an event arrives two timeframes after the
 * key's first event — unless some key has filled once and the rule uses query_key with alert_on_new_data.
 * Thresholds are inclusive (cur ≥ threshold_cur, ref ≥ threshold_ref); up is cur ≥ ref × height, down is
 * cur ≤ ref / height. The match is the OLDEST event of the current window with a non-zero count (Elastalert's
 * quirk), and after a match the reference window is cleared and the key waits two timeframes again.
 * garbage_collect adds a zero-count placeholder at the run's end time, which can itself trigger a match.
 */
import { EventWindow, type WindowEntry } from './event-window';
import type { RawMatch, RuleEvent, RuleTypeEngine, TermsBucket } from './evaluate-types';
import { isoTs, lookupField } from './lookup-field';
import { eventKey } from './match-key';
import { PyFloat } from './py-values';
import type { RuleConfig } from './rule-config';

export function spikeEngine(rule: RuleConfig): RuleTypeEngine {
  const tf = rule.timeframeMs!;
  const height = rule.spikeHeight!;
  const ref = new Map<string, EventWindow>();
  const cur = new Map<string, EventWindow>();
  const first = new Map<string, number>();
  const skip = new Map<string, number>();
  let filledOnce = false;
  let matches: RawMatch[] = [];
  const tsField = rule.timestampField;
  const useMean = rule.fieldValue !== undefined;

  function findMatch(r: number | undefined, c: number | undefined): boolean {
    if (!useMean) {
      if (c! < (rule.thresholdCur ?? 0) || r! < (rule.thresholdRef ?? 0)) return false;
    } else if (r === undefined || r === 0 || c === undefined || c === 0) return false;
    const down = c! <= r! / height;
    const up = c! >= r! * height;
    const t = rule.spikeType;
    return ((t === 'both' || t === 'up') && up) || ((t === 'both' || t === 'down') && down);
  }

  function handle(e: WindowEntry, qk: string) {
    if (!first.has(qk)) first.set(qk, e.ts);
    if (!ref.has(qk)) ref.set(qk, new EventWindow(tf));
    const refW = ref.get(qk)!;
    if (!cur.has(qk)) cur.set(qk, new EventWindow(tf, (old) => refW.append(old)));
    const curW = cur.get(qk)!;
    curW.append(e);
    if (e.ts - first.get(qk)! < tf * 2) {
      if (!filledOnce) return;
      if (!(rule.queryKey && rule.alertOnNewData)) return;
      const until = skip.get(qk);
      if (until !== undefined && e.ts < until) return;
    } else filledOnce = true;
    const r = useMean ? refW.mean() : refW.count();
    const c = useMean ? curW.mean() : curW.count();
    if (!findMatch(r, c)) return;
    // Python leaves the loop variable on the last entry when no entry qualifies.
    let m = curW.data[curW.data.length - 1];
    for (const d of curW.data) {
      if (useMean ? !d.placeholder : d.count) {
        m = d;
        break;
      }
    }
    const counts = useMean
      ? { spike_count: new PyFloat(c!), reference_count: new PyFloat(r!) }
      : { spike_count: c!, reference_count: r! };
    matches.push({ ts: m.ts, key: qk, match: { ...m.fields, [tsField]: isoTs(m.ts), ...counts } });
    refW.clear();
    first.delete(qk);
    skip.set(qk, m.ts + tf * 2);
  }

  return {
    addData(events: RuleEvent[]) {
      for (const ev of events) {
        const qk = eventKey(ev.fields, rule.queryKey, 'other');
        const fields = { ...ev.fields };
        if (useMean) {
          const raw = lookupField(ev.fields, rule.fieldValue!);
          if (raw === undefined || raw === null) continue;
          const n = typeof raw === 'number' ? Math.trunc(raw) : raw instanceof PyFloat ? Math.trunc(raw.value) : Number.parseInt(String(raw), 10);
          // int() of a non-number string raises ValueError; Elastalert logs it and skips the event.
          if (Number.isNaN(n) || (typeof raw === 'string' && !/^\s*[+-]?\d+\s*$/.test(raw))) continue;
          handle({ ts: ev.ts, fields, count: n }, qk);
        } else handle({ ts: ev.ts, fields, count: 1 }, qk);
      }
    },
    addCountData(ts, count) {
      handle({ ts, fields: { [tsField]: ts }, count }, 'all');
    },
    addTermsData(ts, buckets: TermsBucket[]) {
      for (const b of buckets) handle({ ts, fields: { [tsField]: ts, [rule.queryKey!]: b.key }, count: b.doc_count }, String(b.key));
    },
    garbageCollect(ts) {
      for (const qk of [...cur.keys()]) {
        if (qk !== 'all' && ref.get(qk)!.count() === 0 && cur.get(qk)!.count() === 0) {
          cur.delete(qk);
          ref.delete(qk);
          continue;
        }
        const fields: Record<string, unknown> = { [tsField]: ts, placeholder: true };
        if (qk !== 'all') fields[rule.queryKey!] = qk;
        handle({ ts, fields, count: 0, placeholder: true }, qk);
      }
    },
    takeMatches() {
      const out = matches;
      matches = [];
      return out;
    },
  };
}
