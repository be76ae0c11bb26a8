/**
 * The email pipeline: paths -> messages (enumerated lazily, by reference) -> batches -> pool workers
 * (or this process) -> one result per message, in mailbox order, handed on as it arrives. The same
 * code runs under `keel emails` (results to a file or stdout) and under the service's job runner
 * (results to the job store, one row per message, so a killed server resumes with only the
 * messages it had not stored).
 */
import { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { KeelError } from '../core/errors.js';
import { inBatches } from '../core/text-batches.js';
import type { MemoryMonitor } from '../core/memory/monitor.js';
import type { JobKind, RenderedResult } from '../jobs/kind.js';
import type { JobContext } from '../jobs/runner.js';
import type { JobRecord, JobStore } from '../jobs/store.js';
import { PoolEmailRunner, type EmailBatchRunner, type EmailTaskPool } from './batch-runner.js';
import { runBatchStream, type BatchStreamSummary } from './batch-stream.js';
import { taskItemFor, type EmailTaskItem } from './batch.js';
import type { EmailOptions } from './options.js';
import { analysisOptionsFor, DEFAULT_BATCH_SIZE, parseEmailJobOptions } from './pipeline-options.js';
import { csvHeader, EmailTally, toCsvRow, toJsonLine, type EmailTallySummary } from './report.js';
import { readMessages, type SourceOptions } from './sources.js';
import type { AnalysisResult } from './types.js';

export interface MessageUnit {
  /** 0-based position of the message among all messages of the input, in mailbox order. */
  position: number;
  item: EmailTaskItem;
}

export interface MessageUnitOptions {
  /** Positions to leave out (already stored by an earlier run of the job). */
  skip?: ReadonlySet<number>;
  /** Rewrites a message id (e.g. an upload's path on the server into the name the caller gave). */
  renameId?: (id: string) => string;
  maxMessageBytes?: number;
}

function sourceOptions(maxMessageBytes: number | undefined): SourceOptions {
  return maxMessageBytes === undefined ? { withContent: false } : { withContent: false, maxMessageBytes };
}

/**
 * Every message under `paths` as a positioned task item, read lazily. Only references are made
 * here (an mbox is scanned for its boundaries, a plain file is not read): workers read the bytes.
 */
export async function* messageUnits(paths: string | readonly string[], options: MessageUnitOptions = {}): AsyncGenerator<MessageUnit> {
  let position = -1;
  for await (const item of readMessages(paths, sourceOptions(options.maxMessageBytes))) {
    position++;
    if (options.skip?.has(position)) continue;
    yield { position, item: taskItemFor(item, options.renameId ? options.renameId(item.id) : item.id) };
  }
}

/** How many messages `paths` hold (a cheap pass over references only, for totals and ETAs). */
export async function countMessages(paths: string | readonly string[], maxMessageBytes?: number): Promise<number> {
  let count = 0;
  for await (const _item of readMessages(paths, sourceOptions(maxMessageBytes))) count++;
  return count;
}

export interface AnalyzeUnitsOptions {
  units: AsyncIterable<MessageUnit> | Iterable<MessageUnit>;
  runner: EmailBatchRunner;
  batchSize?: number;
  concurrency: number;
  /** Analysis options carried by every batch. */
  analysis?: Partial<EmailOptions>;
  /** Called in position order with each message's result. May be async: the stream waits for it. */
  onResult(result: AnalysisResult, unit: MessageUnit): void | Promise<void>;
  signal?: AbortSignal;
}

/** Runs message units through a batch runner; results come back in order, one per unit. */
export function analyzeUnits(options: AnalyzeUnitsOptions): Promise<BatchStreamSummary> {
  const analysis = options.analysis && Object.keys(options.analysis).length > 0 ? options.analysis : undefined;
  return runBatchStream<MessageUnit, AnalysisResult>({
    source: options.units,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    concurrency: options.concurrency,
    signal: options.signal,
    execute: (units, signal) => options.runner.run(analysis ? { items: units.map((u) => u.item), options: analysis } : { items: units.map((u) => u.item) }, { signal }),
    onResult: (unit, result) => options.onResult(result, unit),
  });
}

// ---- the mailbox job ---------------------------------------------------------------------------

export interface EmailAnalysisDeps {
  /** The email pool (usually an OnDemandPool made from `planEmailPool(...).poolOptions`). */
  pool: EmailTaskPool;
  /** Batches in flight: `planEmailPool(...).concurrency` (the pool's workers plus one). */
  concurrency: number;
  /** Messages per batch when the job does not say; default DEFAULT_BATCH_SIZE. */
  batchSize?: number;
  monitor: MemoryMonitor;
  /** Worker recycles so far, for the memory line logged every few thousand messages. */
  recycles?: () => number;
}

export interface EmailJobSummary extends EmailTallySummary {
  file: string;
  batch_size: number;
  /** This run only (a resumed job counts the messages it analysed itself). */
  analysed_this_run: number;
  messages_per_second: number;
  peak_rss_mb: number;
  elapsed_ms: number;
}

/** Messages between two progress/memory log lines of a job. */
const LOG_EVERY = 1000;

async function runMailboxJob(context: JobContext, deps: EmailAnalysisDeps): Promise<EmailJobSummary> {
  const { job, signal, logger } = context;
  const options = parseEmailJobOptions(job.options);
  if (!job.inputPath) throw new KeelError('E_BAD_REQUEST', 'the job has no input file');
  const path = resolve(job.inputPath);
  const name = job.inputName ?? path;
  // Ids name the file as the caller knows it ("inbox.mbox#12"), not where the server keeps it.
  const renameId = (id: string) => (id.startsWith(path) ? name + id.slice(path.length) : id);
  const batchSize = options.batchSize > 0 ? options.batchSize : deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const started = Date.now();
  let peak = deps.monitor.snapshot().treeRssBytes;
  const onSample = (sample: { treeRssBytes: number }) => (peak = Math.max(peak, sample.treeRssBytes));
  deps.monitor.on('sample', onSample);
  try {
    const total = await countMessages(path);
    signal.throwIfAborted();
    context.setTotal(total);
    let done = context.alreadyStored.size;
    let thisRun = 0;
    let windowStart = Date.now();
    let windowCount = 0;
    const runner = new PoolEmailRunner(deps.pool);
    await analyzeUnits({
      units: messageUnits(path, { skip: context.alreadyStored, renameId }),
      runner,
      batchSize,
      concurrency: deps.concurrency,
      analysis: analysisOptionsFor(options),
      signal,
      onResult(result, unit) {
        context.recordUnit(unit.position, result.ok, result);
        done++;
        thisRun++;
        windowCount++;
        if (windowCount === LOG_EVERY || done === total) {
          const rate = Math.round(windowCount / Math.max((Date.now() - windowStart) / 1000, 0.001));
          logger.info({ event: 'messages', done, total, rate }, `messages ${done}/${total} (${((done / Math.max(total, 1)) * 100).toFixed(1)}%), ${rate} messages/s`);
          deps.monitor.boundary(`${done} messages`, deps.recycles ? { recycles: deps.recycles() } : {});
          windowStart = Date.now();
          windowCount = 0;
        }
      },
    });
    if (runner.poisoned > 0) logger.warn({ event: 'poisoned', messages: runner.poisoned }, `${runner.poisoned} message(s) killed their worker on every attempt and were given up`);
    // The summary is counted from the store: a resumed job's earlier messages are in it too.
    const tally = new EmailTally();
    for (const unit of context.readUnits<AnalysisResult>()) tally.add(unit.result);
    const elapsedMs = Date.now() - started;
    return {
      file: name,
      ...tally.summary(),
      batch_size: batchSize,
      analysed_this_run: thisRun,
      messages_per_second: Math.round((thisRun / Math.max(elapsedMs, 1)) * 1000 * 10) / 10,
      peak_rss_mb: Math.round(peak / 1024 ** 2),
      elapsed_ms: elapsedMs,
    };
  } finally {
    deps.monitor.off('sample', onSample);
  }
}

export const EMAIL_JOB_KIND = 'email-analysis';
/** `GET /v1/jobs/:id/result?format=` for a mailbox job; the route's own default is json. */
export const EMAIL_RESULT_FORMATS = ['json', 'jsonl', 'csv'] as const;

function downloadName(job: JobRecord, extension: string): string {
  const base = (job.inputName ?? 'mailbox').replace(/\.(?:mbox|eml|txt|mbx)$/i, '');
  return `${base}-keel.${extension}`;
}

/** Renders a finished mailbox job from its stored rows (one per message, in mailbox order). */
export function renderEmailResult(job: JobRecord, store: JobStore, format: string): RenderedResult {
  // Streamed from the store a page of rows at a time: a 100,000-message result never sits in memory.
  const units = () => store.iterateUnits<AnalysisResult>(job.id);
  if (format === 'jsonl') {
    const lines = function* () {
      for (const unit of units()) yield toJsonLine(unit.result);
    };
    return { contentType: 'application/x-ndjson; charset=utf-8', body: Readable.from(inBatches(lines())), filename: downloadName(job, 'jsonl') };
  }
  if (format === 'csv') {
    const rows = function* () {
      yield csvHeader();
      for (const unit of units()) yield toCsvRow(unit.result);
    };
    return { contentType: 'text/csv; charset=utf-8', body: Readable.from(inBatches(rows())), filename: downloadName(job, 'csv') };
  }
  // json: the summary, then every message, written piece by piece.
  const parts = function* () {
    yield `{"file":${JSON.stringify(job.inputName)},"summary":${JSON.stringify(job.summary)},"messages":[`;
    let first = true;
    for (const unit of units()) {
      yield (first ? '' : ',') + JSON.stringify(unit.result);
      first = false;
    }
    yield ']}';
  };
  return { contentType: 'application/json; charset=utf-8', body: Readable.from(inBatches(parts())) };
}

/** The mailbox analysis as a job kind: executor plus result rendering (json, jsonl, csv). */
export function emailAnalysisKind(deps: EmailAnalysisDeps): JobKind {
  return {
    kind: EMAIL_JOB_KIND,
    unitName: 'messages',
    formats: EMAIL_RESULT_FORMATS,
    run: (context) => runMailboxJob(context, deps),
    renderResult: renderEmailResult,
  };
}
