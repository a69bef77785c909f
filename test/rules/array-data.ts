// A RuleData over an in-memory array of events: (from, to] ranges, oldest first, as Elastalert queries.
import type { RuleData, RuleEvent } from '../../src/rules/evaluate-types';

export function arrayData(events: RuleEvent[]): RuleData & { queries: [number, number][] } {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const queries: [number, number][] = [];
  const pick = (from: number, to: number) => sorted.filter((e) => e.ts > from && e.ts <= to);
  return {
    queries,
    events: (from, to) => {
      queries.push([from, to]);
      return pick(from, to).map((e) => ({ ts: e.ts, fields: { ...e.fields } }));
    },
    count: (from, to) => {
      queries.push([from, to]);
      return pick(from, to).length;
    },
    terms: (from, to, field) => {
      queries.push([from, to]);
      const m = new Map<unknown, number>();
      for (const e of pick(from, to)) m.set(e.fields[field], (m.get(e.fields[field]) ?? 0) + 1);
      return [...m].map(([key, doc_count]) => ({ key, doc_count }));
    },
  };
}
