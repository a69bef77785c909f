/**
 * Counts per interval as a PNG for Slack: bars per interval, the rule's reference/current windows shaded,
 * threshold lines, match markers. Shared by `/elk alert-test` and alert delivery, so it knows nothing of rules.
 *
 * Rendered with Apache ECharts' server-side SVG renderer (no DOM, no canvas, no native build) and rasterised
 * by resvg. resvg draws no text without a font, so a font file that exists on the machine is loaded by path
 * (DejaVu / Liberation on Debian), with system fonts as the fallback; `fontFound` says whether one was found.
 * Sized for Slack's inline preview (~360 px wide): few, large labels, times in HH:MM of the given zone.
 */
import { existsSync } from 'node:fs';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';

export interface CountPoint {
  /** Start of the interval, epoch ms. */
  ts: number;
  count: number;
}

export interface ChartWindow {
  from: number;
  to: number;
  label: string;
  kind?: 'reference' | 'current' | 'other';
}

export interface ChartLine {
  label: string;
  /** Which y axis: the per-interval counts (left) or per-window totals (right, e.g. a 15-minute count). */
  axis?: 'interval' | 'window';
  /** A horizontal threshold … */
  value?: number;
  /** … or a threshold / running count that changes over time. */
  points?: { ts: number; value: number }[];
  dashed?: boolean;
}

export interface ChartMarker {
  ts: number;
  label: string;
}

export interface CountsChartInput {
  title: string;
  subtitle?: string;
  /** Counts per interval, oldest first. */
  series: CountPoint[];
  /** Interval length in ms (bar width and the axis name, e.g. "per 1 min"). */
  intervalMs: number;
  /** Name of what is counted, for the left axis, e.g. "5xx events". */
  what?: string;
  windows?: ChartWindow[];
  lines?: ChartLine[];
  markers?: ChartMarker[];
  /** IANA zone for the time axis; default UTC (the thread says so in the axis name). */
  timeZone?: string;
  width?: number;
  height?: number;
}

export interface RenderedChart {
  png: Buffer;
  svg: string;
  width: number;
  height: number;
  /** False when no font file was found: the PNG then has no readable text. */
  fontFound: boolean;
}

const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/Library/Fonts/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];
const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

const COLORS = { bars: '#4e79a7', reference: 'rgba(160,160,160,0.22)', current: 'rgba(242,142,43,0.22)', lines: ['#e15759', '#59a14f', '#b07aa1', '#9c755f'], marker: '#d62728' };

function hhmm(ts: number, timeZone: string, withDate: boolean): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, hour: '2-digit', minute: '2-digit', hour12: false, ...(withDate ? { month: 'short', day: '2-digit' } : {}),
  }).format(new Date(ts));
  return parts.replace(',', '');
}

function intervalName(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

export function chartOption(input: CountsChartInput): echarts.EChartsCoreOption {
  const tz = input.timeZone ?? 'UTC';
  const xs = input.series.map((p) => p.ts);
  const min = Math.min(...xs, ...(input.windows ?? []).map((w) => w.from));
  const max = Math.max(...xs.map((x) => x + input.intervalMs), ...(input.windows ?? []).map((w) => w.to));
  const multiDay = max - min > 20 * 3_600_000;
  const hasWindowAxis = (input.lines ?? []).some((l) => l.axis === 'window');
  const font = { fontFamily: FONT_FAMILY };
  // Bars sit in the middle of their interval, so a bar for 10:05–10:06 is drawn between the two ticks.
  const bars = input.series.map((p) => [p.ts + input.intervalMs / 2, p.count]);
  const series: Record<string, unknown>[] = [
    {
      name: `${input.what ?? 'events'} per ${intervalName(input.intervalMs)}`,
      type: 'bar',
      data: bars,
      barWidth: '90%',
      itemStyle: { color: COLORS.bars },
      yAxisIndex: 0,
      markArea: input.windows?.length
        ? {
            silent: true,
            label: { show: true, position: 'insideTop', fontSize: 13, color: '#444', ...font },
            data: input.windows.map((w) => [
              { xAxis: w.from, name: w.label, itemStyle: { color: w.kind === 'current' ? COLORS.current : COLORS.reference } },
              { xAxis: w.to },
            ]),
          }
        : undefined,
      markLine: input.markers?.length
        ? {
            silent: true,
            symbol: ['none', 'none'],
            lineStyle: { color: COLORS.marker, width: 2, type: 'solid' },
            label: { show: true, position: 'end', formatter: '{b}', fontSize: 13, color: COLORS.marker, ...font },
            data: input.markers.map((m) => ({ xAxis: m.ts, name: m.label })),
          }
        : undefined,
    },
  ];
  (input.lines ?? []).forEach((l, i) => {
    const color = COLORS.lines[i % COLORS.lines.length];
    const yAxisIndex = l.axis === 'window' ? 1 : 0;
    const style = { color, width: 2.5, type: l.dashed ? 'dashed' : 'solid' };
    if (l.points) {
      series.push({ name: l.label, type: 'line', step: 'start', showSymbol: false, data: l.points.map((p) => [p.ts, p.value]), lineStyle: style, itemStyle: { color }, yAxisIndex });
    } else if (l.value !== undefined) {
      // A horizontal threshold as its own two-point line, so it shows in the legend with its colour.
      series.push({ name: l.label, type: 'line', showSymbol: false, data: [[min, l.value], [max, l.value]], lineStyle: style, itemStyle: { color }, yAxisIndex });
    }
  });
  const axisLabel = { fontSize: 14, color: '#222', ...font };
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: font,
    title: { text: input.title, subtext: input.subtitle, left: 12, top: 8, textStyle: { fontSize: 20, fontWeight: 'bold', color: '#111', ...font }, subtextStyle: { fontSize: 14, color: '#555', ...font } },
    legend: { top: input.subtitle ? 68 : 44, left: 12, itemGap: 18, textStyle: { fontSize: 14, color: '#222', ...font } },
    grid: { left: 64, right: hasWindowAxis ? 72 : 28, top: input.subtitle ? 124 : 100, bottom: 60 },
    xAxis: {
      type: 'time',
      min,
      max,
      name: `time (${tz})`,
      nameLocation: 'middle',
      nameGap: 34,
      nameTextStyle: { fontSize: 14, color: '#333', ...font },
      splitNumber: 6,
      axisLabel: { ...axisLabel, hideOverlap: true, formatter: (v: number) => hhmm(v, tz, multiDay) },
      splitLine: { show: true, lineStyle: { color: '#eee' } },
    },
    yAxis: [
      { type: 'value', name: `per ${intervalName(input.intervalMs)}`, minInterval: 1, nameTextStyle: { fontSize: 13, color: '#333', ...font }, axisLabel },
      ...(hasWindowAxis ? [{ type: 'value', name: 'per window', minInterval: 1, position: 'right', splitLine: { show: false }, nameTextStyle: { fontSize: 13, color: '#333', ...font }, axisLabel }] : []),
    ],
    series,
  };
}

let fontFiles: string[] | undefined;
function availableFonts(): string[] {
  fontFiles ??= FONT_FILES.filter((f) => existsSync(f));
  return fontFiles;
}

/** Renders the chart; width × height is the PNG size in pixels (default 900 × 420, 2:1-ish for Slack). */
export function renderCountsChart(input: CountsChartInput): RenderedChart {
  if (!input.series.length) throw new Error('renderCountsChart: the series is empty; pass at least one {ts, count} point');
  if (!(input.intervalMs > 0)) throw new Error('renderCountsChart: intervalMs must be a positive number of milliseconds');
  const width = input.width ?? 900;
  const height = input.height ?? 420;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption(chartOption(input));
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const fonts = availableFonts();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: '#ffffff',
    font: { fontFiles: fonts, loadSystemFonts: fonts.length === 0, defaultFontFamily: fonts.length ? 'DejaVu Sans' : undefined },
  });
  const png = resvg.render().asPng();
  return { png: Buffer.from(png), svg, width, height, fontFound: fonts.length > 0 };
}

/** PNG files start with these 8 bytes. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (bytes 16–23), for tests and for checking an upload. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: the first 8 bytes are not the PNG signature');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
