import { existsSync, writeFileSync } from 'node:fs';

/** A line chart of memory over time, drawn as SVG by hand and turned into a PNG by headless Chromium. */

export interface ChartSeries {
  name: string;
  color: string;
  points: Array<{ t: number; mb: number }>;
  width?: number;
}

export interface ChartMarker {
  t: number;
  label: string;
  color: string;
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  series: ChartSeries[];
  markers: ChartMarker[];
  /** A horizontal reference line (the memory budget). */
  limitMb?: number;
  width?: number;
  height?: number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalised = raw / magnitude;
  return (normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 5 ? 5 : 10) * magnitude;
}

/** Steps a clock reader expects (whole seconds, minutes, hours), so every tick label is exact. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200];

function timeStep(range: number, ticks: number): number {
  return TIME_STEPS.find((step) => range / step <= ticks) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
}

function formatTime(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(seconds % 3600 === 0 ? 0 : 1)} h`;
  if (seconds >= 60) return `${(seconds / 60).toFixed(seconds % 60 === 0 ? 0 : 1)} min`;
  return `${Math.round(seconds)} s`;
}

const LEGEND_GAP = 16;
const LEGEND_ROW_HEIGHT = 24;

/** Room one legend entry takes: the sample line, the label (13 px DejaVu Sans is at most ~7.5 px a character) and a gap. */
export function legendItemWidth(label: string): number {
  return 30 + Math.ceil(label.length * 7.5) + LEGEND_GAP;
}

export function renderChartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 1200;
  const height = spec.height ?? 560;
  const margin = { left: 70, right: 30, top: 70, bottom: 110 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const allPoints = spec.series.flatMap((s) => s.points);
  const maxT = Math.max(1, ...allPoints.map((p) => p.t), ...spec.markers.map((m) => m.t));
  const maxMb = Math.max(spec.limitMb ?? 0, ...allPoints.map((p) => p.mb)) * 1.1 || 100;
  const x = (t: number) => margin.left + (t / maxT) * plotW;
  const y = (mb: number) => margin.top + plotH - (mb / maxMb) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${margin.left}" y="30" font-size="20" font-weight="bold" fill="#111">${escape(spec.title)}</text>`);
  parts.push(`<text x="${margin.left}" y="52" font-size="13" fill="#444">${escape(spec.subtitle)}</text>`);
  const yStep = niceStep(maxMb, 6);
  for (let mb = 0; mb <= maxMb; mb += yStep) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(mb)}" y2="${y(mb)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(mb) + 4}" font-size="12" text-anchor="end" fill="#555">${mb}</text>`);
  }
  parts.push(`<text x="18" y="${margin.top + plotH / 2}" font-size="12" fill="#555" transform="rotate(-90 18 ${margin.top + plotH / 2})" text-anchor="middle">RSS (MB)</text>`);
  const tStep = timeStep(maxT, 10);
  for (let t = 0; t <= maxT; t += tStep) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}" stroke="#888"/>`);
    parts.push(`<text x="${x(t)}" y="${margin.top + plotH + 20}" font-size="12" text-anchor="middle" fill="#555">${formatTime(t)}</text>`);
  }
  parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#888"/>`);
  for (const marker of spec.markers) {
    parts.push(`<line x1="${x(marker.t)}" x2="${x(marker.t)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="${marker.color}" stroke-width="1" stroke-dasharray="2 3" opacity="0.7"/>`);
  }
  if (spec.limitMb !== undefined) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(spec.limitMb)}" y2="${y(spec.limitMb)}" stroke="#b91c1c" stroke-width="2" stroke-dasharray="8 5"/>`);
    parts.push(`<text x="${margin.left + plotW - 4}" y="${y(spec.limitMb) - 6}" font-size="13" text-anchor="end" fill="#b91c1c">budget ${spec.limitMb} MB</text>`);
  }
  for (const series of spec.series) {
    if (series.points.length === 0) continue;
    const d = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.mb).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${series.color}" stroke-width="${series.width ?? 1.5}" stroke-linejoin="round"/>`);
  }
  // Legend: series, then each kind of marker once.
  const legend = [...spec.series.map((s) => ({ label: s.name, color: s.color, dashed: false })), ...[...new Map(spec.markers.map((m) => [m.label, m.color])).entries()].map(([label, color]) => ({ label, color, dashed: true }))];
  // Entries wrap onto a second row rather than run off the right edge.
  let lx = margin.left;
  let ly = height - 56;
  for (const item of legend) {
    const itemWidth = legendItemWidth(item.label);
    if (lx > margin.left && lx + itemWidth - LEGEND_GAP > width - margin.right) {
      lx = margin.left;
      ly += LEGEND_ROW_HEIGHT;
    }
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${item.color}" stroke-width="3" ${item.dashed ? 'stroke-dasharray="3 3"' : ''}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly + 4}" font-size="13" fill="#222">${escape(item.label)}</text>`);
    lx += itemWidth;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes the SVG, and a PNG of it when Debian's chromium is there. Returns the paths written. */
export async function writeChart(spec: ChartSpec, svgPath: string, pngPath: string): Promise<string[]> {
  const svg = renderChartSvg(spec);
  writeFileSync(svgPath, svg);
  if (!existsSync('/usr/bin/chromium')) return [svgPath];
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: spec.width ?? 1200, height: spec.height ?? 560 } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: pngPath });
  } finally {
    await browser.close();
  }
  return [svgPath, pngPath];
}
