/**
 * Benchmark: the keel process over a long book, page after page and while it writes the report.
 * A text-layer book needs no OCR, so Keel reads hundreds of pages a second and the keel process's own
 * work per page (the pool, the store, the progress) is all there is: 40,000 pages in about 6 minutes
 * show whether that process grows with the pages, which the OCR'd book (1000 pages in 80 minutes)
 * cannot. Then `keel scan --format json` writes a report of 40,000 deeds and pages.
 *
 * With `--baseline DIR` (another build of Keel, e.g. a worktree of an older commit with `npm ci`
 * done), the same scan runs with that build too, in the same run, and the report's cost is compared.
 *
 *   npm run bench:book-report -- [--pages 40000] [--baseline DIR]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEEL_PROCESS_V8_FLAGS } from '../src/cli/v8-flags.js';
import { onLogRecords } from './lib/log-records.js';
import { describeMachine } from './lib/machine.js';
import { argValue, benchOutDir, exitOnHelp, markdownTable, repoRoot, updateBenchmarksMd, writeBenchFile } from './lib/report.js';
import { fitGroupMeans, toCsv, TreeRssSampler, type RssPoint } from './lib/series.js';
import { buildTextLayerBook } from './lib/text-layer-book.js';

exitOnHelp(`
The keel process over a long text-layer book: does it grow from page to page, and what does writing
the report cost? Rewrites its BENCHMARKS.md section.

  npm run bench:book-report -- [--pages 40000] [--baseline DIR]      about 6 minutes per build

--baseline DIR   also run another build of Keel (DIR/dist/src/cli/main.js), in the same run
`);

const pagesWanted = Number(argValue('pages', '40000'));
const baselineArg = argValue('baseline', '');
const baselineDir = baselineArg ? resolve(baselineArg) : undefined;
const command = `npm run bench:book-report -- --pages ${pagesWanted}${baselineArg ? ' --baseline DIR' : ''}`;
/** Pages per group when fitting the keel process's growth: each mean covers the same pages' work. */
const GROUP_PAGES = 1000;

interface Run {
  label: string;
  points: RssPoint[];
  /** Seconds from the start to the last page read, and from there to the end (the report). */
  scanSeconds: number;
  reportSeconds: number;
  outputBytes: number;
}

function runScan(label: string, cli: string, book: string): Promise<Run> {
  const out = join(benchOutDir, `book-report-${label}.json`);
  const child = spawn(process.execPath, [...KEEL_PROCESS_V8_FLAGS, cli, 'scan', book, '--mode', 'page_by_page', '--format', 'json', '--out', out, '--no-progress', '--log-format', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let pagesDone = 0;
  let lastPageAt = 0;
  const started = Date.now();
  onLogRecords(
    child.stderr!,
    (record) => {
      if (record.event !== 'chunk' || !record.pages) return;
      pagesDone = record.pages[1];
      if (pagesDone >= pagesWanted) lastPageAt = Date.now();
      if (pagesDone % 5000 === 0) process.stderr.write(`${label}: ${record.msg}\n`);
    },
    (line) => process.stderr.write(line + '\n'),
  );
  const sampler = new TreeRssSampler(child.pid!, () => pagesDone, 500);
  return new Promise((done, fail) => {
    child.on('exit', (code) => {
      const points = sampler.stop().filter((p) => p.treeRssMb > 0);
      if (code !== 0) return fail(new Error(`${label}: keel scan exited with ${code}`));
      const ended = Date.now();
      done({ label, points, scanSeconds: (lastPageAt - started) / 1000, reportSeconds: (ended - lastPageAt) / 1000, outputBytes: statSync(out).size });
    });
  });
}

interface Figures {
  pagesPerSecond: number;
  /** The keel process: its mean over the second half of the pages, and its growth per 10,000 pages there. */
  processMeanMb: number;
  growthPer10k: number;
  growthHalfWidth: number;
  growthBins: number;
  processPeakScanMb: number;
  processPeakReportMb: number;
  treePeakMb: number;
}

function figuresOf(run: Run): Figures {
  const scanning = run.points.filter((p) => p.done < pagesWanted);
  const reporting = run.points.filter((p) => p.done >= pagesWanted);
  // The second half of the pages, in groups of 1000 pages: the pages are alike, so their means differ by growth only.
  const secondHalf = (i: number) => (scanning[i]!.done >= pagesWanted / 2 ? Math.floor(scanning[i]!.done / GROUP_PAGES) : undefined);
  const fit = fitGroupMeans(scanning.map((p) => p.done), scanning.map((p) => p.rootRssMb), secondHalf);
  const half = scanning.filter((p) => p.done >= pagesWanted / 2);
  return {
    pagesPerSecond: pagesWanted / run.scanSeconds,
    processMeanMb: half.reduce((a, p) => a + p.rootRssMb, 0) / Math.max(1, half.length),
    growthPer10k: fit.slope * 10_000,
    growthHalfWidth: fit.halfWidth95 * 10_000,
    growthBins: fit.bins,
    processPeakScanMb: Math.max(...scanning.map((p) => p.rootRssMb)),
    processPeakReportMb: Math.max(0, ...reporting.map((p) => p.rootRssMb)),
    treePeakMb: Math.max(...run.points.map((p) => p.treeRssMb)),
  };
}

const cliOf = (dir: string) => join(dir, 'dist', 'src', 'cli', 'main.js');
if (baselineDir && !existsSync(cliOf(baselineDir))) {
  console.error(`--baseline ${baselineArg}: no built Keel there (${cliOf(baselineDir)} is missing; run npm ci in it)`);
  process.exit(2);
}

// The book is built in a child process: mupdf's WASM heap never shrinks, and the harness should not
// sit on it while Keel runs beside it.
const book = join(benchOutDir, `text-layer-book-${pagesWanted}.pdf`);
if (process.argv.includes('--build-book-only')) {
  mkdirSync(benchOutDir, { recursive: true });
  buildTextLayerBook(book, pagesWanted);
  process.exit(0);
}
if (!existsSync(book)) {
  const built = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--build-book-only', '--pages', String(pagesWanted)], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the text-layer book failed');
}
console.log(`book: ${book} (${pagesWanted} pages, ${(statSync(book).size / 1024 ** 2).toFixed(0)} MB)`);

const runs: Run[] = [await runScan('keel', cliOf(repoRoot), book)];
if (baselineDir) runs.push(await runScan('baseline', cliOf(baselineDir), book));
for (const run of runs) writeBenchFile(`book-report-${run.label}-rss.csv`, toCsv(run.points));
const figures = runs.map(figuresOf);

const interval = (f: Figures) => (Number.isFinite(f.growthHalfWidth) ? `${f.growthPer10k.toFixed(1)} (${(f.growthPer10k - f.growthHalfWidth).toFixed(1)} to ${(f.growthPer10k + f.growthHalfWidth).toFixed(1)})` : `${f.growthPer10k.toFixed(1)} (too few groups)`);
/** The commit a build was made from, to name it in the table. */
const commitOf = (dir: string) => spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || dir;
const names: Record<string, string> = { keel: `this build (${commitOf(repoRoot)})`, baseline: baselineDir ? `baseline (${commitOf(baselineDir)})` : '' };
const table = markdownTable(
  ['build', 'pages/s', 'keel process, 2nd half of the pages: mean (MB)', 'its growth per 10,000 pages, 95% interval (MB)', 'keel process peak while reading (MB)', 'keel process peak while writing the report (MB)', 'report: seconds, MB written', 'tree peak (MB)'],
  runs.map((run, i) => {
    const f = figures[i]!;
    return [names[run.label]!, f.pagesPerSecond.toFixed(0), f.processMeanMb.toFixed(1), interval(f), f.processPeakScanMb.toFixed(0), f.processPeakReportMb.toFixed(0), `${run.reportSeconds.toFixed(1)} s, ${(run.outputBytes / 1024 ** 2).toFixed(1)} MB`, f.treePeakMb.toFixed(0)];
  }),
);
const keel = figures[0]!;
const flat = Number.isFinite(keel.growthHalfWidth) && Math.abs(keel.growthPer10k) + keel.growthHalfWidth < 5;
const lines = [
  `- The keel process from page ${pagesWanted / 2} to page ${pagesWanted}: ${interval(keel)} MB per 10,000 pages (fitted to ${keel.growthBins} means of ${GROUP_PAGES} pages): ` +
    (flat ? '**flat** (the whole interval within 5 MB per 10,000 pages).' : '**not shown flat** (the interval reaches 5 MB per 10,000 pages).'),
  `- Writing the report of ${pagesWanted} deeds and pages raised the keel process **${(keel.processPeakReportMb - keel.processPeakScanMb).toFixed(0)} MB** above its peak while reading.`,
];
if (figures[1]) {
  const base = figures[1];
  const [keelRun, baseRun] = runs as [Run, Run];
  lines.push(
    `- Baseline, same book, same run: the report raised its keel process ${(base.processPeakReportMb - base.processPeakScanMb).toFixed(0)} MB; its peak while writing is ` +
      `**${(base.processPeakReportMb / keel.processPeakReportMb).toFixed(2)}x** this build's (${base.processPeakReportMb.toFixed(0)} against ${keel.processPeakReportMb.toFixed(0)} MB), ` +
      `its report took ${(baseRun.reportSeconds / keelRun.reportSeconds).toFixed(2)}x the time (${baseRun.reportSeconds.toFixed(1)} against ${keelRun.reportSeconds.toFixed(1)} s).`,
  );
}
const markdown = `## The keel process over a ${pagesWanted}-page book, and its report

A born-digital book (text written for the benchmark, \`bench/lib/text-layer-book.ts\`), so no page needs OCR and the
keel process's own work per page is all that varies: \`keel scan --mode page_by_page --format json --out FILE\` at default
settings. The keel process's RSS and the whole tree's, sampled every 0.5 s from outside.${baselineDir ? ' The baseline is another build of Keel (a clone at the commit named in the table, with `npm ci` done) given as DIR.' : ''}
Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}. Command: \`${command}\`.

${table}

${lines.join('\n')}
- Raw series: \`bench/out/book-report-*-rss.csv\` (t, tree, keel process, pages done).`;
console.log('\n' + table + '\n\n' + lines.join('\n') + `\n\nreproduce: ${command}`);
updateBenchmarksMd('book-report', markdown);
