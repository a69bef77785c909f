import { describe, expect, it } from 'vitest';
import { generateLogDocs } from '../../../sim/log-docs';

describe('generateLogDocs', () => {
  const from = Date.UTC(2024, 0, 1);
  const to = from + 3_600_000;
  const spike = { at: from + 1_800_000, durationMs: 600_000, status5xxRatio: 0.6 };

  it('is deterministic for a seed and stays inside the window', () => {
    const a = generateLogDocs({ count: 500, from, to, seed: 42, spike });
    expect(generateLogDocs({ count: 500, from, to, seed: 42, spike })).toEqual(a);
    expect(a.every((d) => Date.parse(d['@timestamp']) >= from && Date.parse(d['@timestamp']) <= to)).toBe(true);
    expect(Object.keys(a[0]).sort()).toEqual(['@timestamp', 'Status', 'bytes', 'duration_ms', 'host', 'method', 'path']);
  });

  it('raises the 5xx share inside the spike window', () => {
    const docs = generateLogDocs({ count: 3_000, from, to, seed: 1, spike });
    const inSpike = (d: { '@timestamp': string }) => {
      const t = Date.parse(d['@timestamp']);
      return t >= spike.at && t < spike.at + spike.durationMs;
    };
    const ratio = (xs: typeof docs) => xs.filter((d) => d.Status >= 500).length / xs.length;
    expect(ratio(docs.filter(inSpike))).toBeGreaterThan(0.4);
    expect(ratio(docs.filter((d) => !inSpike(d)))).toBeLessThan(0.05);
  });
});
