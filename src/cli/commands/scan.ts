import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { KeelError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { planPoolMemory, resolveMemoryBudget } from '../../core/memory/budget.js';
import { HeapCollector } from '../../core/memory/heap-collector.js';
import { MemoryMonitor } from '../../core/memory/monitor.js';
import { WorkerPool } from '../../core/pool/pool.js';
import { ProgressTracker } from '../../core/progress.js';
import { DEED_WORKER_FOOTPRINT, deedPoolOptions, deedScanKind, resolveOcrEngine, storedPageReader } from '../../deeds/pipeline.js';
import { OCR_CHOICES, POLICY_NAMES, SCAN_MODES, parseScanOptions } from '../../deeds/pipeline-options.js';
import { scanReportCsv, scanReportJson, type DeedReport, type DeedScanSummary } from '../../deeds/report.js';
import type { DeedTask } from '../../deeds/handler.js';
import { createJobContext } from '../../jobs/runner.js';
import { JobStore } from '../../jobs/store.js';
import { defaultOcrCacheDir } from '../../ocr/ocr-cache.js';
import { oneOf, parseCommandLine, type Command } from '../command.js';
import { openOutput } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import { formatScanTable } from '../scan-table.js';

const MiB = 1024 ** 2;

export const scanCommand: Command = {
  name: 'scan',
  summary: 'scan a deed PDF for oil, gas and mineral reservations (quote and page)',
  usage: `
Usage: keel scan FILE.pdf [options]

Streams the PDF page by page through OCR (or its text layer, when that passes a quality check)
and an offline reservation classifier, and reports whether each deed reserves or excepts oil,
gas or minerals, with the quote and the page that prove it.

Options:
  --mode MODE               single_deed (default: stop at the first clear reservation),
                            page_by_page (a result for every page), or
                            multi_deed (find where each deed starts, classify each)
  --policy POLICY           balanced (default: oil and gas named) or high-recall (also
                            "all minerals", "mineral rights")
  --format FORMAT           table (default), json or csv
  --out FILE                write the result to FILE instead of stdout
  --ocr ENGINE              auto (default: native tesseract when installed), wasm or native
  --confidence-threshold P  single_deed stops at a page whose reservation probability
                            reaches P (default 0.7)
  --no-early-stop           single_deed reads every page
  --chunk-size N            pages per chunk (progress and memory line after each);
                            default from the memory budget (25 at 512 MB)
  --memory-budget SIZE      e.g. 512MB (default: KEEL_MEMORY_BUDGET, cgroup limit, 512MB)
  --cache-dir DIR           OCR cache (default ~/.cache/keel/ocr or KEEL_CACHE_DIR)
  --no-cache                do not read or write the OCR cache
  --no-progress             no progress bar (it is drawn only when stderr is a terminal)
  --log-format FORMAT       text (default) or json, for the lines on stderr

Exit codes: 0 done; 2 bad input (not a PDF, encrypted, damaged, no pages, too large,
missing file, bad option); 1 internal error.
`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      mode: { type: 'string' },
      policy: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      ocr: { type: 'string' },
      'confidence-threshold': { type: 'string' },
      'no-early-stop': { type: 'boolean' },
      'chunk-size': { type: 'string' },
      'memory-budget': { type: 'string' },
      'cache-dir': { type: 'string' },
      'no-cache': { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      'log-format': { type: 'string' },
    });
    if (positionals.length !== 1) throw new KeelError('E_USAGE', `give exactly one PDF file (got ${positionals.length}); see keel scan --help`);
    const file = resolve(positionals[0]!);
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new KeelError('E_NOT_FOUND', `${positionals[0]} is not a file`);
      size = stat.size;
    } catch (error) {
      if (error instanceof KeelError) throw error;
      throw new KeelError('E_NOT_FOUND', `${positionals[0]}: no such file`);
    }
    const format = oneOf('format', values.format, ['table', 'json', 'csv'] as const, 'table');
    oneOf('mode', values.mode, SCAN_MODES, 'single_deed');
    oneOf('policy', values.policy, POLICY_NAMES, 'balanced');
    oneOf('ocr', values.ocr, OCR_CHOICES, 'auto');
    const options = parseScanOptions({
      mode: values.mode,
      policy: values.policy,
      ocr: values.ocr,
      confidenceThreshold: values['confidence-threshold'],
      earlyStop: !values['no-early-stop'],
      chunkSize: values['chunk-size'],
    });
    const engine = await resolveOcrEngine(options.ocr);
    const budget = resolveMemoryBudget(values['memory-budget']);
    const plan = planPoolMemory(budget.bytes, DEED_WORKER_FOOTPRINT[engine], { parentReserveBytes: 80 * MiB });
    const output = await openOutput(values.out);
    let written = false;

    const bar = new ProgressBar('pages', process.stderr, !values['no-progress'] && process.stderr.isTTY === true);
    const logger = createLogger({ format: values['log-format'] === 'json' ? 'json' : 'text', destination: bar.logDestination() });
    const monitor = new MemoryMonitor({ budget, logger }).start();
    const heapCollector = new HeapCollector().start();
    logger.info(
      { event: 'scan-start', file, bytes: size, engine, workers: plan.workers },
      `scanning ${basename(file)} (${(size / MiB).toFixed(1)} MB), mode ${options.mode}, policy ${options.policy}, OCR ${engine}; ` +
        `budget ${Math.round(budget.bytes / MiB)} MB (${budget.source}): ${plan.workers} worker(s), recycle above ${Math.round(plan.softRssBytes / MiB)} MB, kill above ${Math.round(plan.hardRssBytes / MiB)} MB`,
    );

    const pool = new WorkerPool<DeedTask, unknown>(deedPoolOptions(engine, plan, values['no-cache'] ? undefined : (values['cache-dir'] ?? defaultOcrCacheDir())));
    pool.on('recycle', (e) => logger.info({ event: 'recycle', pid: e.pid }, `worker ${e.pid} recycled after ${e.tasksServed} pages: ${e.reason}`));
    pool.on('kill', (e) => logger.warn({ event: 'kill', pid: e.pid }, `worker ${e.pid} killed: ${e.reason}; its page is retried`));

    const workDir = mkdtempSync(join(tmpdir(), 'keel-scan-'));
    const store = new JobStore(workDir);
    const abort = new AbortController();
    const onSignal = () => abort.abort(new KeelError('E_CANCELLED', 'interrupted'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await pool.start();
      const job = store.createJob({ owner: 'cli', kind: 'deed-scan', options: { ...options }, inputPath: file, inputName: basename(file), inputBytes: size });
      const progress = new ProgressTracker(0);
      const kind = deedScanKind({
        poolFor: () => pool as WorkerPool<DeedTask, never>,
        concurrency: () => plan.workers + 1,
        recycles: () => pool.stats().recycles,
        monitor,
        budgetBytes: budget.bytes,
      });
      const context = createJobContext(store, job, abort.signal, logger, (id) => {
        const current = store.getJob(id)!;
        progress.total = current.unitsTotal ?? 0;
        const newlyDone = current.unitsDone - progress.snapshot().done;
        bar.update(newlyDone > 0 ? progress.advance(newlyDone) : progress.snapshot(), monitor.snapshot().treeRssBytes);
      });
      const summary = (await kind.run(context)) as DeedScanSummary;
      bar.finish();
      // Written as it is read back from the store, deed by deed and page by page: see report.ts.
      const deeds = store.iterateResultRows<DeedReport>(job.id);
      const readPages = storedPageReader(store, job.id);
      try {
        await output.writeAll(format === 'json' ? scanReportJson(summary, deeds, readPages, 2) : format === 'csv' ? scanReportCsv(summary, deeds) : formatScanTable(summary, deeds, readPages));
        await output.end();
      } catch (error) {
        if (!output.closedByReader) throw error;
      }
      written = true;
      logger.info({ event: 'scan-done', peakRssMb: summary.peak_rss_mb }, `done in ${(summary.elapsed_ms / 1000).toFixed(1)} s: ${summary.pages_processed}/${summary.pages_total} pages, peak tree RSS ${summary.peak_rss_mb} MB`);
      return 0;
    } finally {
      bar.clear();
      if (!written) await output.discard();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      monitor.stop();
      heapCollector.stop();
      await pool.destroy();
      store.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  },
};
