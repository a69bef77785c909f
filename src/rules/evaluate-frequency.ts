/**
 * ruletypes.py FrequencyRule and FlatlineRule (a FrequencyRule subclass).
 * Frequency: per key an EventWindow of one timeframe; a match when its count reaches num_events (inclusive),
 * the match is the newest event and the key's window is dropped. garbage_collect forgets keys whose newest
 * event is more than a timeframe old.
 * Flatline: checked only at the end of each batch; no check until a timeframe after the key's first event;
 * a match when the count is below threshold, then the key re-arms at min(oldest event, newest − timeframe), so
 * it keeps firing each run while the flatline lasts (realert limits the alerts). garbage_collect appends a
 * zero-count event at the run's end time (for 'all' even with no data at all), which is how silence is seen.
 */
import { EventWindow } from './event-window';
import type { RawMatch, RuleEvent, RuleTypeEngine, TermsBucket } from './evaluate-types';
import { isoTs } from './lookup-field';
import { eventKey } from './match-key';
import type { RuleConfig } from './rule-config';

export function frequencyEngine(rule: RuleConfig, flatline = false): RuleTypeEngine {
  const tf = rule.timeframeMs!;
  const tsField = rule.timestampField;
  const occ = new Map<string, EventWindow>();
  const first = new Map<string, number>();
  let matches: RawMatch[] = [];
  const windowFor = (key: string) => {
    if (!occ.has(key)) occ.set(key, new EventWindow(tf));
    return occ.get(key)!;
  };

  function check(key: string, end: boolean) {
    const w = occ.get(key)!;
    if (!flatline) {
      if (w.count() >= rule.numEvents!) {
        const last = w.data[w.data.length - 1];
        const match: Record<string, unknown> = { ...last.fields, [tsField]: isoTs(last.ts) };
        if (rule.attachRelated) match.related_events = w.data.slice(0, -1).map((d) => d.fields);
        matches.push({ ts: last.ts, key, match });
        occ.delete(key);
      }
      return;
    }
    if (!end) return;
    const newest = w.data[w.data.length - 1].ts;
    if (!first.has(key)) first.set(key, newest);
    if (newest - first.get(key)! < tf) return;
    const count = w.count();
    if (count < rule.threshold!) {
      const last = w.data[w.data.length - 1];
      matches.push({ ts: last.ts, key, match: { ...last.fields, [tsField]: isoTs(last.ts), key, count } });
      if (!rule.forgetKeys) first.set(key, Math.min(w.data[0].ts, newest - tf));
      else {
        first.delete(key);
        occ.delete(key);
      }
    }
  }

  return {
    addData(events: RuleEvent[]) {
      // FrequencyRule keys a missing query_key value as None; it is a bucket of its own.
      let key = 'all';
      for (const ev of events) {
        key = eventKey(ev.fields, rule.queryKey, 'None');
        windowFor(key).append({ ts: ev.ts, fields: { ...ev.fields }, count: 1 });
        check(key, false);
      }
      // Only the last event's key gets the end-of-batch check (as in Elastalert).
      if (events.length && occ.has(key)) check(key, true);
    },
    addCountData(ts, count) {
      windowFor('all').append({ ts, fields: { [tsField]: ts }, count });
      check('all', true);
    },
    addTermsData(ts, buckets: TermsBucket[]) {
      for (const b of buckets) {
        const key = String(b.key);
        windowFor(key).append({ ts, fields: { [tsField]: ts, [rule.queryKey!]: b.key }, count: b.doc_count });
        check(key, true);
      }
    },
    garbageCollect(ts) {
      if (!flatline) {
        for (const [key, w] of [...occ]) if (ts - w.data[w.data.length - 1].ts > tf) occ.delete(key);
        return;
      }
      const keys = occ.size ? [...occ.keys()] : rule.queryKey ? [] : ['all'];
      for (const key of keys) {
        windowFor(key).append({ ts, fields: { [tsField]: ts }, count: 0 });
        if (!first.has(key)) first.set(key, ts);
        check(key, true);
      }
    },
    takeMatches() {
      const out = matches;
      matches = [];
      return out;
    },
  };
}

/** ruletypes.py AnyRule: every document is a match. */
export function anyEngine(rule: RuleConfig): RuleTypeEngine {
  let matches: RawMatch[] = [];
  return {
    addData(events) {
      for (const ev of events)
        matches.push({ ts: ev.ts, key: eventKey(ev.fields, rule.queryKey, 'None'), match: { ...ev.fields, [rule.timestampField]: isoTs(ev.ts) } });
    },
    addCountData() {
      throw new Error('an any rule cannot use use_count_query (Elastalert raises NotImplementedError); remove use_count_query');
    },
    addTermsData() {
      throw new Error('an any rule cannot use use_terms_query (Elastalert raises NotImplementedError); remove use_terms_query');
    },
    garbageCollect() {},
    takeMatches() {
      const out = matches;
      matches = [];
      return out;
    },
  };
}
