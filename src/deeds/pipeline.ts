import { Readable } from 'node:stream';
import { describeError, isKeelError, KeelError } from '../core/errors.js';
import { hashFile } from '../core/file-hash.js';
import type { PoolMemoryPlan, WorkerFootprint } from '../core/memory/budget.js';
import type { MemoryMonitor } from '../core/memory/monitor.js';
import type { PoolOptions, RunOptions } from '../core/pool/pool.js';
import { inBatches } from '../core/text-batches.js';
import { runUnits } from '../core/unit-runner.js';
import type { JobKind } from '../jobs/kind.js';
import type { JobContext } from '../jobs/runner.js';
import type { JobStore } from '../jobs/store.js';
import type { OcrEngineName } from '../ocr/engine.js';
import { isNativeTesseractAvailable } from '../ocr/tesseract-native.js';
import type { OcrEngineChoice } from '../ocr/select.js';
import { ownDeedPart } from './boundaries.js';
import type { DeedTask, InspectResult } from './handler.js';
import { decideDocument } from './index.js';
import type { DeedPageResult, StoredDeedPage } from './page-result.js';
import { chunkSizeForBudget, parseScanOptions, type DeedScanOptions } from './pipeline-options.js';
import { scanReportCsv, scanReportJson, summarizeScan, type DeedReport, type DeedScanSummary, type PageReader } from './report.js';
import type { PageText } from './types.js';

/**
 * The deed scan: PDF -> pages -> pool workers (text layer or OCR) -> one stored row per page ->
 * report. The same executor runs under `keel scan` and under the service's job runner; it keeps
 * only the page in flight and the previous page's text, whatever the file's length.
 */

/** What runs deed tasks: a WorkerPool or an OnDemandPool. */
export interface DeedTaskRunner {
  run(task: DeedTask, options?: RunOptions): Promise<DeedPageResult | InspectResult>;
}

export interface DeedScanDeps {
  /** The pool for an OCR engine (each engine has its own memory footprint, hence its own pool). */
  poolFor(engine: OcrEngineName): DeedTaskRunner;
  /** Pages in flight at once: the pool's workers plus one, so no worker waits between pages. */
  concurrency(engine: OcrEngineName): number;
  /** Worker recycles so far, for the memory line after each chunk. */
  recycles(engine: OcrEngineName): number;
  monitor: MemoryMonitor;
  budgetBytes: number;
}

/** "auto" means the native tesseract when it is installed; "native" without it is bad input. */
export async function resolveOcrEngine(choice: OcrEngineChoice): Promise<OcrEngineName> {
  if (choice === 'wasm') return 'wasm';
  const native = await isNativeTesseractAvailable();
  if (choice === 'native' && !native) {
    throw new KeelError('E_OCR_UNAVAILABLE', 'native OCR was requested (--ocr native) but the tesseract binary is not installed; use --ocr wasm or install tesseract-ocr');
  }
  return native ? 'native' : 'wasm';
}

function formatClock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The part of a read page that a single_deed scan classifies (see ownDeedPart). */
function singleDeedText(page: DeedPageResult, pagesTotal: number): PageText {
  return ownDeedPart({ page: page.page, text: page.text, ocrQuality: page.ocrQuality }, pagesTotal);
}

/** True when this page alone (read after the previous one) reaches the early-stop threshold. */
function reachesThreshold(current: PageText, previous: PageText | undefined, options: DeedScanOptions): boolean {
  const pages = previous && previous.page === current.page - 1 ? [previous, current] : [current];
  const decision = decideDocument(pages, options.policy);
  return decision.hasReservation && decision.confidence >= options.confidenceThreshold && decision.evidence.some((e) => e.page === current.page);
}

/** The first page's error when every stored page failed; undefined when any page was read. */
function allPagesFailed(units: Iterable<{ result: StoredDeedPage }>): { code: string; message: string } | undefined {
  let first: { code: string; message: string } | undefined;
  for (const { result } of units) {
    if (!('error' in result)) return undefined;
    first ??= result.error;
  }
  return first;
}

/** The stored pages one by one, straight from the store: the report never holds them all. */
function* storedPages(units: Iterable<{ result: StoredDeedPage }>): Generator<StoredDeedPage> {
  for (const unit of units) yield unit.result;
}

/** Reads a deed-scan job's stored pages from the store, from the first, each time it is called. */
export function storedPageReader(store: JobStore, jobId: string): PageReader {
  return () => storedPages(store.iterateUnits<StoredDeedPage>(jobId));
}

/**
 * A worker names the file by the path it opened. The caller knows it by its own name: the service
 * keeps an upload under its data directory, and that path means nothing to the caller (nor should
 * the service show it).
 */
function withCallersName(error: unknown, path: string, name: string): unknown {
  if (name === path || !isKeelError(error) || !error.message.includes(path)) return error;
  return new KeelError(error.code, error.message.split(path).join(name), { cause: error, ...(error.details ? { details: error.details } : {}) });
}

async function runDeedScan(context: JobContext, deps: DeedScanDeps): Promise<DeedScanSummary> {
  const { job, signal, logger } = context;
  const options = parseScanOptions(job.options);
  const path = job.inputPath;
  if (!path) throw new KeelError('E_BAD_REQUEST', 'the job has no input file');
  const name = job.inputName ?? path;
  const started = Date.now();
  let peak = deps.monitor.snapshot().treeRssBytes;
  const onSample = (sample: { treeRssBytes: number }) => (peak = Math.max(peak, sample.treeRssBytes));
  deps.monitor.on('sample', onSample);
  try {
    const engine = await resolveOcrEngine(options.ocr);
    const pool = deps.poolFor(engine);
    const inspect = (await pool.run({ kind: 'inspect', path }, { signal }).catch((error: unknown) => {
      throw withCallersName(error, path, name);
    })) as InspectResult;
    context.setTotal(inspect.pageCount);
    if (inspect.wasRepaired) logger.warn({ event: 'pdf-repaired' }, `${name} is damaged; mupdf repaired it and the scan goes on`);
    const fileHash = await hashFile(path);
    const earlyStop = options.mode === 'single_deed' && options.earlyStop;

    // On resume, replay the stored pages in order: they may already have reached the threshold.
    let previous: PageText | undefined;
    let stopped = false;
    if (earlyStop && context.alreadyStored.size > 0) {
      for (const { result } of context.readUnits<StoredDeedPage>()) {
        if ('error' in result) continue;
        const current = singleDeedText(result, inspect.pageCount);
        if (reachesThreshold(current, previous, options)) stopped = true;
        previous = current;
      }
    }

    const todo = Array.from({ length: inspect.pageCount }, (_, index) => index).filter((index) => !context.alreadyStored.has(index));
    const chunkSize = options.chunkSize > 0 ? options.chunkSize : chunkSizeForBudget(deps.budgetBytes);
    const pagesTotal = inspect.pageCount;
    let pagesDone = context.alreadyStored.size;
    const summary = stopped
      ? { aborted: false }
      : await runUnits({
          units: todo,
          chunkSize,
          concurrency: deps.concurrency(engine),
          signal,
          execute: (pageIndex, unitSignal) => pool.run({ kind: 'page', path, fileHash, pageIndex }, { signal: unitSignal }) as Promise<DeedPageResult>,
          onResult(pageIndex, outcome) {
            const stored: StoredDeedPage = outcome.ok ? outcome.value : { page: pageIndex + 1, error: describeError(withCallersName(outcome.error, path, name)) };
            context.recordUnit(pageIndex, outcome.ok, stored);
            pagesDone++;
            if (!outcome.ok) {
              logger.warn({ event: 'page-failed', page: pageIndex + 1 }, `page ${pageIndex + 1} could not be read: ${describeError(outcome.error).message}`);
              return;
            }
            if (!earlyStop) return;
            const current = singleDeedText(outcome.value, pagesTotal);
            if (reachesThreshold(current, previous, options)) stopped = true;
            previous = current;
          },
          onChunk(chunk) {
            const first = todo[chunk.first]! + 1;
            const last = todo[chunk.last]! + 1;
            const percent = ((pagesDone / pagesTotal) * 100).toFixed(1);
            logger.info(
              { event: 'chunk', chunk: chunk.chunk, chunks: chunk.chunks, pages: [first, last], chunkMs: chunk.ms, percent: Number(percent) },
              `chunk ${chunk.chunk}/${chunk.chunks}: pages ${first}-${last} in ${(chunk.ms / 1000).toFixed(1)} s ` +
                `(${(chunk.ms / 1000 / chunk.units).toFixed(1)} s/page), ${percent}% done, elapsed ${formatClock(Date.now() - started)}`,
            );
            deps.monitor.boundary(`chunk ${chunk.chunk}/${chunk.chunks}`, { recycles: deps.recycles(engine) });
          },
          shouldStop: () => stopped,
        });
    if (summary.aborted) throw signal.reason ?? new KeelError('E_ABORTED', 'the scan was cancelled');
    const failure = allPagesFailed(context.readUnits<StoredDeedPage>());
    if (failure) {
      // Not one page could be read (e.g. a one-page file with an absurd page size): that is a
      // failure of the input, reported with the page's own error code, not an empty "no" answer.
      throw new KeelError(failure.code, `no page of ${name} could be read: ${failure.message}`);
    }
    if (stopped) logger.info({ event: 'early-stop' }, `single_deed: a clear reservation was found; stopped after ${pagesDone} of ${pagesTotal} pages`);
    // Each deed is stored as a result row as soon as it is decided: the report is written from them.
    const deeds = context.startResultRows();
    const scanSummary = await summarizeScan({
      file: name,
      options,
      pagesTotal,
      pages: storedPages(context.readUnits<StoredDeedPage>()),
      stoppedEarly: stopped && pagesDone < pagesTotal,
      ocrEngine: engine,
      peakRssMb: peak / 1024 ** 2,
      elapsedMs: Date.now() - started,
      onDeed: (deed) => deeds.add(deed),
    });
    deeds.finish();
    return scanSummary;
  } finally {
    deps.monitor.off('sample', onSample);
  }
}

/** The deed scan as a job kind: executor plus result rendering (JSON report or CSV). */
export function deedScanKind(deps: DeedScanDeps): JobKind {
  return {
    kind: 'deed-scan',
    unitName: 'pages',
    formats: ['json', 'csv'],
    run: (context) => runDeedScan(context, deps),
    renderResult(job, store, format) {
      const summary = job.summary as unknown as DeedScanSummary & { deeds?: DeedReport[] };
      const base = (job.inputName ?? 'scan').replace(/\.pdf$/i, '');
      if (Array.isArray(summary.deeds)) {
        // Finished by a Keel before result rows (store schema 1): its summary is the whole report.
        if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: [...scanReportCsv(summary, summary.deeds)].join(''), filename: `${base}-keel.csv` };
        return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(summary) };
      }
      // Streamed: the summary is the report's head, then the stored deeds and pages, one at a time.
      const deeds = store.iterateResultRows<DeedReport>(job.id);
      if (format === 'csv') {
        return { contentType: 'text/csv; charset=utf-8', body: Readable.from(inBatches(scanReportCsv(summary, deeds))), filename: `${base}-keel.csv` };
      }
      return { contentType: 'application/json; charset=utf-8', body: Readable.from(inBatches(scanReportJson(summary, deeds, storedPageReader(store, job.id)))) };
    },
  };
}

const MiB = 1024 ** 2;

/**
 * Memory footprint of one deed worker, measured over all 140 real dev pages (see BENCHMARKS.md).
 * native: node + mupdf's WASM heap (30-80 MB, it never shrinks) + page buffers plateau at 180-215 MB
 * with the settings of `deedPoolOptions`; each page adds a tesseract process (75-125 MB at the
 * 16-Mpx render cap, all freed at its exit). wasm: tesseract.js alone plateaus at 410-450 MB.
 * (Measured when pages were drawn whole. Drawn in bands, mupdf's heap needs at most 38 MB on the dev
 * pages, so the native figures are now generous; they are kept until a soak measures the new ones.)
 * Overshoot: a worker and its tesseract grew 17 MB past the hard limit between two 250 ms samples in
 * a soak (68 MB/s). The pool's guard now re-reads a busy worker every 50 ms; the next 100-minute soak
 * found its 16 backstop kills at most 9 MB past the limit (one allocation can jump that far at
 * once, whatever the interval), so 12 MB is left for it.
 */
export const DEED_WORKER_FOOTPRINT: Record<OcrEngineName, WorkerFootprint> = {
  native: { steadyBytes: 200 * MiB, taskPeakBytes: 140 * MiB, idleBytes: 70 * MiB, overshootBytes: 12 * MiB },
  wasm: { steadyBytes: 440 * MiB, taskPeakBytes: 60 * MiB, idleBytes: 70 * MiB, overshootBytes: 12 * MiB },
};

/**
 * Largest page image a deed worker renders: a page that would exceed it at 300 DPI (a 13x23-inch
 * plat scanned at 200 ppi) is rendered at a lower DPI, never below its scan's own detail in practice.
 * tesseract's memory grows with the pixel count: 28 Mpx cost 170 MB, 16 Mpx about 115 MB.
 */
export const DEED_RENDER_MAX_PIXELS = 16_000_000;

/** The worker pool for deed pages, shared by `keel scan`, the service and the evaluation. */
export function deedPoolOptions(engine: OcrEngineName, plan: PoolMemoryPlan, cacheDir: string | undefined): PoolOptions {
  return {
    name: `deeds-${engine}`,
    handlerModule: new URL('./handler.js', import.meta.url),
    handlerOptions: { ocr: engine, cacheDir, dpi: 300, limits: { maxPixels: DEED_RENDER_MAX_PIXELS } },
    size: plan.workers,
    softRssBytes: plan.softRssBytes,
    hardRssBytes: plan.hardRssBytes,
    prewarm: plan.prewarm,
    taskTimeoutMs: 5 * 60_000,
    maxQueue: 256,
    // Page buffers are large and short-lived: collect them after each page (--expose-gc), and have
    // glibc hand big blocks back to the system at free instead of keeping them (its dynamic mmap
    // threshold otherwise grows and a worker's RSS creeps up by tens of MB): measured 330 -> 200 MB.
    execArgv: [...process.execArgv, '--expose-gc'],
    env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2' },
  };
}
