/**
 * Benchmark: drawing scanned pages in bands (what Keel's page source does) against drawing each page
 * whole with mupdf's `page.toPixmap` (what it did before, and what a caller of mupdf does by default),
 * over every page of the real dev deeds at 300 DPI (the normal reading) and 400 DPI (the second
 * reading of a poor page). mupdf's WASM heap never shrinks, so its high-water mark is what a deed
 * worker carries for the rest of its life. Each variant runs in a fresh process, so neither inherits
 * the other's heap; both open the files the same way and copy the same gray raster out.
 *
 *   npm run bench:render -- [--rounds 2]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mupdfHeapBytes, renderInBands, renderWhole } from '../src/pdf/page-source.js';
import * as mupdf from 'mupdf';
import { devDeedsDir, listPdfs } from './lib/dev-deeds.js';
import { describeMachine } from './lib/machine.js';
import { argValue, exitOnHelp, markdownTable, updateBenchmarksMd } from './lib/report.js';

exitOnHelp(`
Page rendering memory: Keel's banded draw against one whole-page draw (mupdf's toPixmap), every page of
../shared/deeds/dev at 300 and 400 DPI, each variant in a fresh process. Rewrites its BENCHMARKS.md section.

  npm run bench:render -- [--rounds 2]      about 4 minutes
`);

const MiB = 1024 ** 2;
const rounds = Number(argValue('rounds', '2'));
const command = `npm run bench:render -- --rounds ${rounds}`;

type Variant = 'whole' | 'bands';
interface Measured {
  variant: Variant;
  dpi: number;
  pages: number;
  seconds: number;
  /** mupdf's WASM heap after the last page: its high-water mark, since it never shrinks. */
  heapMb: number;
  /** The process's peak RSS (VmHWM): heap, the JS copies of the rasters, and node itself. */
  peakRssMb: number;
}

function peakRssMb(): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/** Child mode: renders every dev page with one variant at one DPI. */
function measureHere(variant: Variant, dpi: number): Measured {
  const gc = (globalThis as { gc?: () => void }).gc;
  const matrix = mupdf.Matrix.scale(dpi / 72, dpi / 72);
  let pages = 0;
  const started = performance.now();
  for (const file of listPdfs(devDeedsDir)) {
    const doc = mupdf.Document.openDocument(readFileSync(file), 'application/pdf');
    try {
      for (let index = 0; index < doc.countPages(); index++) {
        const page = doc.loadPage(index);
        try {
          if (variant === 'whole') renderWhole(page, matrix);
          else renderInBands(page, matrix);
        } finally {
          page.destroy();
          mupdf.emptyStore();
        }
        pages++;
        // The rasters are garbage once drawn: collect them, so RSS shows what each draw keeps.
        gc?.();
      }
    } finally {
      doc.destroy();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { variant, dpi, pages, seconds, heapMb: (mupdfHeapBytes() ?? NaN) / MiB, peakRssMb: peakRssMb() };
}

function measureInChild(variant: Variant, dpi: number): Promise<Measured> {
  return new Promise((resolvePromise, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, ['--expose-gc', self, '--measure', variant, String(dpi)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`measurement ${variant} at ${dpi} DPI failed (exit ${code})`));
      else resolvePromise(JSON.parse(last) as Measured);
    });
  });
}

const measureIndex = process.argv.indexOf('--measure');
if (measureIndex >= 0) {
  const variant = process.argv[measureIndex + 1] as Variant;
  const dpi = Number(process.argv[measureIndex + 2]);
  process.stdout.write(`${JSON.stringify(measureHere(variant, dpi))}\n`);
  process.exit(0);
}

if (!existsSync(devDeedsDir)) {
  console.log(`bench:render skipped: the dev deeds ${devDeedsDir} are missing (put the shared data set next to the repository)`);
  process.exit(0);
}

const rows: Array<Array<string | number>> = [];
const lines: string[] = [];
for (const dpi of [300, 400]) {
  const runs: Record<Variant, Measured[]> = { whole: [], bands: [] };
  for (let round = 0; round < rounds; round++) {
    // Interleaved, so a change in the machine's speed touches both alike.
    for (const variant of ['whole', 'bands'] as const) {
      const measured = await measureInChild(variant, dpi);
      runs[variant].push(measured);
      console.log(`${dpi} DPI ${variant}: ${measured.pages} pages in ${measured.seconds.toFixed(1)} s, mupdf heap ${measured.heapMb.toFixed(0)} MB, peak RSS ${measured.peakRssMb.toFixed(0)} MB`);
    }
  }
  const worst = (list: Measured[], key: 'heapMb' | 'peakRssMb') => Math.max(...list.map((m) => m[key]));
  const fastest = (list: Measured[]) => Math.min(...list.map((m) => m.seconds));
  for (const variant of ['whole', 'bands'] as const) {
    const list = runs[variant];
    rows.push([
      `${variant === 'whole' ? 'one whole-page draw (baseline)' : 'bands of 2 MB (Keel)'}`,
      dpi,
      list[0]!.pages,
      list.map((m) => (m.seconds / m.pages * 1000).toFixed(0)).join(' / '),
      worst(list, 'heapMb').toFixed(0),
      worst(list, 'peakRssMb').toFixed(0),
    ]);
  }
  const heapRatio = worst(runs.whole, 'heapMb') / worst(runs.bands, 'heapMb');
  const rssRatio = worst(runs.whole, 'peakRssMb') / worst(runs.bands, 'peakRssMb');
  const timeRatio = fastest(runs.bands) / fastest(runs.whole);
  lines.push(`- ${dpi} DPI: mupdf heap **${heapRatio.toFixed(1)}x** lower, peak RSS **${rssRatio.toFixed(2)}x** lower; render time ${timeRatio.toFixed(2)}x the whole draw (fastest rounds).`);
}

const table = markdownTable(['draw', 'DPI', 'pages', 'ms per page, each round', 'mupdf heap after the last page (MB)', 'peak RSS (MB)'], rows);
const markdown = `## Page rendering: bands against one whole-page draw

Every page of the 41 dev deeds drawn to 8-bit gray by mupdf (WASM), the raster copied out to JavaScript and
collected. mupdf's heap never shrinks, so its size after the last page is the most any page needed, and what a
deed worker carries from then on. Each measurement in a fresh process, ${rounds} interleaved rounds; the
worst heap and RSS of the rounds are shown. Peak RSS is the process's VmHWM (it has no children).
Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}. Command: \`${command}\`.

${table}

${lines.join('\n')}`;
console.log(`\n${table}\n\n${lines.join('\n')}\n\nreproduce: ${command}`);
updateBenchmarksMd('render-bands', markdown);
