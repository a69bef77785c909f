// The one chart renderer (alert-test and alert delivery): a real PNG of the asked size, with text drawn.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, pngSize, renderCountsChart } from '../../src/charts/render-counts-chart';

const T0 = Date.parse('2024-01-01T10:00:00Z');
const MIN = 60_000;
const series = Array.from({ length: 60 }, (_, i) => ({ ts: T0 + i * MIN, count: i >= 40 && i < 44 ? 3 : i % 5 === 2 ? 1 : 0 }));

describe('renderCountsChart', () => {
  it('renders a PNG of the requested size with windows, thresholds and markers', () => {
    const r = renderCountsChart({
      title: 'Spike in 5xxs: 1 firing',
      subtitle: 'prod · logstash-*',
      series,
      intervalMs: MIN,
      windows: [{ from: T0 + 12 * MIN, to: T0 + 27 * MIN, label: 'reference', kind: 'reference' }, { from: T0 + 27 * MIN, to: T0 + 42 * MIN, label: 'current', kind: 'current' }],
      lines: [{ label: 'threshold_cur 5', axis: 'window', value: 5, dashed: true }],
      markers: [{ ts: T0 + 27 * MIN, label: 'match 10:27' }],
      width: 800,
      height: 400,
    });
    expect(r.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(r.png)).toEqual({ width: 800, height: 400 });
    expect(r.fontFound).toBe(true);
    // Labels are real text in the SVG (so resvg draws them with the loaded font): title, legend, HH:MM ticks, marker.
    for (const s of ['Spike in 5xxs: 1 firing', 'threshold_cur 5', 'events per 1 min', '10:30', 'match 10:27', 'reference', 'time (UTC)']) expect(r.svg).toContain(s);
    writeFileSync('/tmp/elk-ops-chart-test.png', r.png);
    // A blank white 800×400 PNG compresses to ~2 kB; bars, text and lines make it far larger.
    expect(r.png.length).toBeGreaterThan(15_000);
  });

  it('draws text: the same chart without a title and legend is measurably smaller', () => {
    const a = renderCountsChart({ title: 'A title that takes room', series, intervalMs: MIN, width: 600, height: 300 });
    const b = renderCountsChart({ title: '', series, intervalMs: MIN, width: 600, height: 300 });
    expect(a.png.length).toBeGreaterThan(b.png.length + 500);
  });

  it('refuses an empty series with a message', () => {
    expect(() => renderCountsChart({ title: 't', series: [], intervalMs: MIN })).toThrow(/series is empty/);
  });
});
