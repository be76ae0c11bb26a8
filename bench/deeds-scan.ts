/**
 * Benchmark: a 1000-page scanned deed book, built from the real dev deeds, scanned by `keel scan` in
 * page_by_page mode with default settings (OCR cache off, so every page is really read). Records the
 * process-tree RSS every second: peak and slope over the second half. Side by side, in the same run,
 * the bare `tesseract` CLI reads the first pages of the same book (one full cycle of the dev set) from
 * pre-rendered 300-DPI images, as a user would run it by hand.
 *
 *   npm run bench:deeds -- [--pages 1000] [--compare-pages 140]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mupdf from 'mupdf';
import { KEEL_PROCESS_V8_FLAGS } from '../src/cli/v8-flags.js';
import { onLogRecords } from './lib/log-records.js';
import { devDeedsDir, listPdfs } from './lib/dev-deeds.js';
import { describeMachine } from './lib/machine.js';
import { argValue, exitOnHelp, benchOutDir, markdownTable, repoRoot, updateBenchmarksMd, writeBenchFile } from './lib/report.js';
import { growthVerdict, slopeOfGroupMeans, slopeWithInterval, summarise, toCsv, TreeRssSampler, type RssPoint } from './lib/series.js';

exitOnHelp(`
Deed scan: a 1000-page scanned book built from ../shared/deeds, keel scan page_by_page at default
settings, beside the bare tesseract CLI on the first pages. Rewrites its BENCHMARKS.md section.

  npm run bench:deeds -- [--pages 1000] [--compare-pages 140]      about 80 minutes for 1000 pages
`);

const pagesWanted = Number(argValue('pages', '1000'));
const comparePages = Number(argValue('compare-pages', '140'));
const command = `npm run bench:deeds -- --pages ${pagesWanted} --compare-pages ${comparePages}`;

function bookPath(pages: number): string {
  return join(benchOutDir, `deed-book-${pages}.pdf`);
}

/** Cycles through every page of the dev deeds until the book has `pages` pages. Built once, kept in bench/out. */
function buildBook(pages: number): string {
  const path = bookPath(pages);
  if (existsSync(path)) return path;
  mkdirSync(benchOutDir, { recursive: true });
  const sources = listPdfs(devDeedsDir).map((file) => mupdf.PDFDocument.openDocument(file, 'application/pdf') as mupdf.PDFDocument);
  const book = new mupdf.PDFDocument();
  let added = 0;
  while (added < pages) {
    for (const source of sources) {
      for (let i = 0; i < source.countPages() && added < pages; i++, added++) book.graftPage(-1, source, i);
      if (added >= pages) break;
    }
  }
  writeFileSync(path, book.saveToBuffer('compress').asUint8Array());
  return path;
}

/** Pages in one pass of the book: all the dev deeds' pages. */
function countDevPages(): number {
  let pages = 0;
  for (const file of listPdfs(devDeedsDir)) {
    const document = mupdf.Document.openDocument(file, 'application/pdf');
    pages += document.countPages();
    document.destroy();
  }
  return pages;
}

interface KeelRun {
  points: RssPoint[];
  seconds: number;
  recycles: number;
  kills: number;
  pagesDone: number;
}

async function runKeel(book: string): Promise<KeelRun> {
  const report = join(benchOutDir, 'deed-book-report.json');
  const child = spawn(process.execPath, [...KEEL_PROCESS_V8_FLAGS, join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'scan', book, '--mode', 'page_by_page', '--no-cache', '--format', 'json', '--out', report, '--no-progress', '--log-format', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let pagesDone = 0;
  let recycles = 0;
  let kills = 0;
  onLogRecords(
    child.stderr!,
    (record) => {
      if (record.event === 'chunk' && record.pages) pagesDone = record.pages[1];
      if (record.event === 'recycle') recycles++;
      if (record.event === 'kill') kills++;
      if (record.event === 'chunk' || record.event === 'kill') process.stderr.write(`keel: ${record.msg}\n`);
    },
    (line) => process.stderr.write(line + '\n'),
  );
  const sampler = new TreeRssSampler(child.pid!, () => pagesDone, 1000);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const points = sampler.stop().filter((p) => p.treeRssMb > 0);
  if (code !== 0) throw new Error(`keel scan exited with ${code}`);
  return { points, seconds: (Date.now() - started) / 1000, recycles, kills, pagesDone: pagesWanted };
}

/**
 * Bare tesseract on the first pages: images rendered beforehand (not timed), then one CLI run per page,
 * with its default OpenMP threads (as a user runs it) or limited to one thread (as Keel runs it).
 */
function runTesseractBaseline(book: string, pages: number, threads: 'default' | 'one'): { seconds: number; peakMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-pages-'));
  try {
    spawnSync('pdftoppm', ['-r', '300', '-gray', '-f', '1', '-l', String(pages), '-png', book, join(dir, 'p')], { stdio: 'inherit' });
    const images = readdirSync(dir).filter((name) => name.endsWith('.png')).sort();
    let peakKb = 0;
    const started = Date.now();
    for (const [index, image] of images.entries()) {
      // GNU time reports the page process's peak RSS; the CLI runs as a user would run it.
      const env = threads === 'one' ? { ...process.env, OMP_THREAD_LIMIT: '1' } : process.env;
      const result = spawnSync('/usr/bin/time', ['-f', '%M', 'tesseract', join(dir, image), 'stdout'], { encoding: 'utf8', env });
      const lines = result.stderr.trim().split('\n');
      peakKb = Math.max(peakKb, Number(lines[lines.length - 1]) || 0);
      if ((index + 1) % 20 === 0) process.stderr.write(`tesseract CLI (${threads} threads): ${index + 1}/${images.length} pages\n`);
    }
    return { seconds: (Date.now() - started) / 1000, peakMb: peakKb / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(devDeedsDir)) {
  console.error(`skipped: the dev deeds are missing (${devDeedsDir})`);
  process.exit(process.env.KEEL_REQUIRE_SHARED === '1' ? 1 : 0);
}
if (spawnSync('which', ['tesseract']).status !== 0 || !existsSync('/usr/bin/time')) {
  console.error('this benchmark needs the tesseract CLI and GNU time (apt-get install tesseract-ocr time)');
  process.exit(1);
}

// The book is built in a child process: mupdf's WASM heap never shrinks, and the harness should not
// sit on the whole book while Keel runs beside it.
if (process.argv.includes('--build-book-only')) {
  buildBook(pagesWanted);
  process.exit(0);
}
const book = bookPath(pagesWanted);
if (!existsSync(book)) {
  const built = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--build-book-only', '--pages', String(pagesWanted)], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the deed book failed');
}
console.log(`book: ${book} (${pagesWanted} pages, ${(statSync(book).size / 1024 ** 2).toFixed(0)} MB)`);
const keel = await runKeel(book);
const summary = summarise(keel.points);
// Growth with an interval, as the soak reports it: per-second samples swing with each page's tesseract,
// so the fit is made to 2-minute means (see slopeWithInterval).
const secondHalf = keel.points.slice(Math.floor(keel.points.length / 2));
const secondHalfSeconds = secondHalf.map((p) => p.t);
const treeGrowth = slopeWithInterval(secondHalfSeconds, secondHalf.map((p) => p.treeRssMb));
const keelProcessGrowth = slopeWithInterval(secondHalfSeconds, secondHalf.map((p) => p.rootRssMb));
// The book repeats the dev pages, so each pass does the same work: the means of whole passes (the first
// left out as warm-up, an unfinished last one too) differ only by growth. A sample's pass comes from the
// pages finished when it was taken, known per 25-page chunk, so a pass's samples span 125 to 150 pages.
const passPages = countDevPages();
const fullPasses = Math.floor(keel.pagesDone / passPages);
const passOf = (i: number) => {
  const pass = Math.floor(keel.points[i]!.done / passPages);
  return pass >= 1 && pass < fullPasses ? pass : undefined;
};
const passLabel = `one pass over the ${passPages} dev pages`;
const allSeconds = keel.points.map((p) => p.t);
const treeGrowthByPass = slopeOfGroupMeans(allSeconds, keel.points.map((p) => p.treeRssMb), passOf, passLabel);
const keelProcessGrowthByPass = slopeOfGroupMeans(allSeconds, keel.points.map((p) => p.rootRssMb), passOf, passLabel);
writeBenchFile('deeds-scan-rss.csv', toCsv(keel.points));
const keelRate = keel.pagesDone / keel.seconds;
console.log(`keel: ${keel.pagesDone} pages in ${keel.seconds.toFixed(0)} s (${keelRate.toFixed(3)} pages/s), peak tree RSS ${summary.peakMb.toFixed(0)} MB, slope ${summary.slopeMbPerHour.toFixed(1)} MB/hour`);
const baseline = runTesseractBaseline(book, comparePages, 'default');
const baselineRate = comparePages / baseline.seconds;
console.log(`tesseract CLI: ${comparePages} pages in ${baseline.seconds.toFixed(0)} s (${baselineRate.toFixed(3)} pages/s), peak ${baseline.peakMb.toFixed(0)} MB`);
const oneThread = runTesseractBaseline(book, comparePages, 'one');
const oneThreadRate = comparePages / oneThread.seconds;
console.log(`tesseract CLI, OMP_THREAD_LIMIT=1: ${comparePages} pages in ${oneThread.seconds.toFixed(0)} s (${oneThreadRate.toFixed(3)} pages/s)`);

const at = (fraction: number) => {
  const point = keel.points.find((p) => p.done >= fraction * keel.pagesDone) ?? keel.points[keel.points.length - 1]!;
  return Math.round(point.treeRssMb);
};
const ratio = keelRate / baselineRate;
const table = markdownTable(
  ['run', 'pages', 'pages/s', 's/page', 'peak RSS (MB)', 'tree RSS at 10/25/50/75/100% (MB)', 'slope, 2nd half (MB/hour)', 'recycles / kills'],
  [
    ['keel scan, page_by_page, defaults (512 MB budget)', keel.pagesDone, keelRate.toFixed(3), (1 / keelRate).toFixed(2), Math.round(summary.peakMb), [0.1, 0.25, 0.5, 0.75, 1].map(at).join(' / '), summary.slopeMbPerHour.toFixed(1), `${keel.recycles} / ${keel.kills}`],
    ['bare tesseract CLI, default threads, pre-rendered 300-DPI pages (baseline)', comparePages, baselineRate.toFixed(3), (1 / baselineRate).toFixed(2), `${Math.round(baseline.peakMb)} (one page process)`, '-', '-', '-'],
    ['bare tesseract CLI, OMP_THREAD_LIMIT=1 (baseline)', comparePages, oneThreadRate.toFixed(3), (1 / oneThreadRate).toFixed(2), `${Math.round(oneThread.peakMb)} (one page process)`, '-', '-', '-'],
  ],
);
const goalPeak = summary.peakMb <= 512 ? 'met' : 'NOT met';
const markdown = `## Deed scan: a ${pagesWanted}-page scanned deed book

The book cycles through the ${listPdfs(devDeedsDir).length} real dev deeds (${(statSync(book).size / 1024 ** 2).toFixed(0)} MB, image-only pages).
\`keel scan --mode page_by_page --no-cache\` with default settings; tree RSS of the keel process and all its
children sampled every second. Baseline: the bare \`tesseract\` CLI (default threads) on the first ${comparePages} pages of
the same book, from images pdftoppm rendered beforehand (rendering not timed), in the same run.
Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}. Command: \`${command}\`.

${table}

- Throughput: Keel reads **${ratio.toFixed(2)}x** the pages per second of the bare tesseract CLI run as a user would
  (default threads), and **${(keelRate / oneThreadRate).toFixed(2)}x** that of the CLI limited to one thread as Keel runs it. Keel's
  time also covers opening, rendering and classifying each page.
- Memory goal (peak tree RSS <= 512 MB with default settings): **${goalPeak}** (${Math.round(summary.peakMb)} MB). Slope over the
  second half: ${summary.slopeMbPerHour.toFixed(1)} MB/hour (${summary.slopeMbPer1000Units.toFixed(1)} MB per 1000 pages), fitted to every sample.
  With an interval: tree ${growthVerdict(treeGrowth, 5)};
  the keel process alone ${growthVerdict(keelProcessGrowth, 5)}.
- Growth from pass to pass (the book repeats the ${passPages} dev pages; passes 2 to ${fullPasses}, so each mean covers the same pages):
  tree ${growthVerdict(treeGrowthByPass, 5)};
  the keel process alone ${growthVerdict(keelProcessGrowthByPass, 5)}.
- Raw series: \`bench/out/deeds-scan-rss.csv\`; report: \`bench/out/deed-book-report.json\`.`;
console.log('\n' + table + `\n\nreproduce: ${command}`);
updateBenchmarksMd('deeds-scan', markdown);
