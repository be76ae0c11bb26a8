import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KeelError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { resolveMemoryBudget } from '../../core/memory/budget.js';
import { HeapCollector } from '../../core/memory/heap-collector.js';
import { MemoryMonitor } from '../../core/memory/monitor.js';
import { WorkerPool } from '../../core/pool/pool.js';
import { ProgressTracker } from '../../core/progress.js';
import { InlineEmailRunner, ISOLATIONS, PoolEmailRunner, type EmailBatchRunner } from '../../email/batch-runner.js';
import type { EmailBatch } from '../../email/batch.js';
import { analysisOptionsFor, DEFAULT_BATCH_SIZE, parseBatchSize, parseEmailJobOptions, planEmailPool } from '../../email/pipeline-options.js';
import { analyzeUnits, countMessages, messageUnits } from '../../email/pipeline.js';
import { csvHeader, EmailTally, OUTPUT_FORMATS, tableHeader, toCsvRow, toJsonLine, toTableRow } from '../../email/report.js';
import type { AnalysisResult } from '../../email/types.js';
import { oneOf, parseCommandLine, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { openOutput } from '../output.js';
import { ProgressBar } from '../progress-bar.js';

const MiB = 1024 ** 2;
/** Messages between two memory lines in the log. */
const MEMORY_LINE_EVERY = 5000;

/**
 * Every path must exist, as a file or a folder, before any work starts: a typo is bad input, not an
 * empty result, and a named pipe or a device is refused rather than read (a pipe with no writer blocks).
 */
async function checkPaths(paths: string[]): Promise<void> {
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
      throw new KeelError('E_NOT_FOUND', `cannot read ${path}: ${reason}`);
    }
    if (!info.isFile() && !info.isDirectory()) {
      throw new KeelError('E_NOT_FOUND', `cannot read ${path}: not a regular file or a folder (a device, pipe or socket)`);
    }
  }
}

export const emailsCommand: Command = {
  name: 'emails',
  summary: 'analyse mailboxes (.eml, mbox, maildir): entities, questions, urgency, deadlines, bulk, priority',
  usage: `
Usage: keel emails PATH... [--format jsonl|csv|table] [--out FILE] [--isolation process|inline]
                           [--batch-size N] [--memory-budget SIZE] [--no-progress]

Analyses every message under the PATHs (.eml files, mbox files, maildir folders, plain folders of
message files) and writes one result per message, in input order, as soon as it is made. Messages
go to persistent worker processes in batches; workers are recycled as the NLP model's memory
grows, and a batch whose worker dies is retried, so no message is lost.

Options:
  --format FORMAT        jsonl (default): one JSON object per message with id (file path, or
                         path#N inside an mbox), ok, messageId and every analysis field;
                         csv: one row per message with the main signals; table: for reading
  --out FILE             write the results to FILE instead of stdout
  --isolation MODE       process (default): worker processes, memory bounded by the budget;
                         inline: the same analysis in this process (same results, no isolation)
  --batch-size N         messages per worker task (default ${DEFAULT_BATCH_SIZE})
  --memory-budget SIZE   memory budget, e.g. 512MB (default: KEEL_MEMORY_BUDGET, cgroup limit, 512MB)
  --reference-date ISO   resolve "by Friday" in messages without a Date header against this time
  --max-text-chars N     characters of body text analysed per message (default 50000)
  --no-progress          no progress bar (it is drawn only when stderr is a terminal anyway)

A message that cannot be analysed is still in the output, as {"id", "ok": false, "code", "message"}.
Exit codes: 0 done, 2 bad input (a missing path, a bad option, no messages found), 1 internal error.

Examples:
  keel emails ~/Mail/inbox.mbox --format table
  keel emails ~/Maildir --out results.jsonl
  keel emails spam/ ham/ --format csv --out signals.csv
`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      format: { type: 'string' },
      out: { type: 'string', short: 'o' },
      isolation: { type: 'string' },
      'batch-size': { type: 'string' },
      'memory-budget': { type: 'string' },
      'reference-date': { type: 'string' },
      'max-text-chars': { type: 'string' },
      'no-progress': { type: 'boolean' },
    });
    if (positionals.length === 0) throw new KeelError('E_USAGE', 'name at least one mailbox, maildir, folder or message file (see keel emails --help)');
    const format = oneOf('format', values.format, OUTPUT_FORMATS, 'jsonl');
    const isolation = oneOf('isolation', values.isolation, ISOLATIONS, 'process');
    const batchSize = parseBatchSize(values['batch-size']);
    const analysis = analysisOptionsFor(parseEmailJobOptions({ referenceDate: values['reference-date'], maxTextChars: values['max-text-chars'] }));
    const budget = resolveMemoryBudget(values['memory-budget']);
    const paths = positionals.map((path) => resolve(path));
    await checkPaths(paths);

    const output = await openOutput(values.out);
    const logger = createLogger({ format: 'text' });
    const showProgress = !values['no-progress'] && process.stderr.isTTY === true;
    const bar = new ProgressBar('messages', process.stderr, showProgress);
    const monitor = new MemoryMonitor({ budget, logger, intervalMs: 500 }).start();
    const heapCollector = new HeapCollector().start();
    let treeRss = monitor.snapshot().treeRssBytes;
    monitor.on('sample', (sample) => (treeRss = sample.treeRssBytes));

    const plan = planEmailPool(budget.bytes, { batchSize });
    let pool: WorkerPool<EmailBatch, AnalysisResult[]> | undefined;
    let runner: EmailBatchRunner;
    let concurrency: number;
    if (isolation === 'process') {
      pool = new WorkerPool<EmailBatch, AnalysisResult[]>(plan.poolOptions);
      pool.on('kill', (event) => {
        bar.clear();
        logger.warn({ event: 'kill', pid: event.pid }, `worker ${event.pid} killed: ${event.reason}; its batch is retried`);
      });
      runner = new PoolEmailRunner(pool);
      concurrency = plan.concurrency;
      logger.info(
        { budgetMb: budget.bytes / MiB, workers: plan.workers, batchSize },
        `emails: budget ${Math.round(budget.bytes / MiB)} MB (${budget.source}), ${plan.workers} worker(s), soft ${Math.round(plan.softRssBytes / MiB)} MB, ` +
          `hard ${Math.round(plan.hardRssBytes / MiB)} MB, recycled every ${plan.maxTasksPerWorker} batches of ${batchSize}`,
      );
    } else {
      const inline = new InlineEmailRunner();
      runner = inline;
      concurrency = 1;
      logger.info({ isolation, batchSize }, `emails: analysing in this process (isolation inline), batches of ${batchSize}`);
    }

    const controller = new AbortController();
    const onSigint = () => controller.abort(new KeelError('E_INTERRUPTED', 'interrupted'));
    process.once('SIGINT', onSigint);
    const tally = new EmailTally();
    const started = Date.now();
    try {
      const startPool = pool ? pool.start() : (runner as InlineEmailRunner).warm();
      // Awaited below, after the count; a start-up failure meanwhile must not be "unhandled".
      startPool.catch(() => undefined);
      const total = showProgress ? await countMessages(paths) : 0;
      await startPool;
      const progress = new ProgressTracker(total);
      let unshown = 0;
      let shownAt = 0;
      if (format === 'csv') await output.write(csvHeader());
      if (format === 'table') await output.write(tableHeader());
      await analyzeUnits({
        units: messageUnits(paths),
        runner,
        batchSize,
        concurrency,
        analysis,
        signal: controller.signal,
        async onResult(result) {
          tally.add(result);
          const n = tally.messages;
          if (format === 'jsonl') await output.write(toJsonLine(result));
          else if (format === 'csv') await output.write(toCsvRow(result));
          else await output.write(toTableRow(result, n));
          // Results arrive a batch at a time: the tracker advances every 100 ms, so its rate is taken
          // over a couple of seconds rather than over the messages of one burst.
          unshown++;
          const now = Date.now();
          if (total > 0 && now - shownAt >= 100) {
            bar.update(progress.advance(unshown), treeRss);
            unshown = 0;
            shownAt = now;
          }
          if (n % MEMORY_LINE_EVERY === 0) {
            bar.clear();
            monitor.boundary(`${n} messages`, pool ? { recycles: pool.stats().recycles } : {});
          }
        },
      });
      if (total > 0 && unshown > 0) bar.update(progress.advance(unshown), treeRss, true);
      bar.finish();
      await output.end();
      if (tally.messages === 0) throw new KeelError('E_EMPTY_INPUT', `no messages found under ${positionals.join(', ')}`);
      const summary = tally.summary();
      const seconds = (Date.now() - started) / 1000;
      const errors = Object.entries(summary.errors).map(([code, count]) => `${code} ${count}`).join(', ');
      const stats = pool?.stats();
      process.stderr.write(
        `done: ${summary.messages} messages (${summary.ok} analysed, ${summary.failed} failed${errors ? `: ${errors}` : ''}) in ${seconds.toFixed(1)} s ` +
          `(${Math.round(summary.messages / Math.max(seconds, 0.001))} messages/s); ${summary.bulk} bulk, ${summary.high_priority} high priority; ` +
          `peak tree RSS ${Math.round(monitor.peakBytes / MiB)} MB${stats ? `, ${stats.recycles} worker recycles, ${stats.retried} retried batches` : ''}\n`,
      );
      return ExitCode.ok;
    } catch (error) {
      bar.finish();
      if (controller.signal.aborted) {
        process.stderr.write(`keel: interrupted after ${tally.messages} messages\n`);
        await output.end().catch(() => undefined);
        return 130;
      }
      if (output.closedByReader) return ExitCode.ok;
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
      monitor.stop();
      heapCollector.stop();
      await pool?.destroy();
    }
  },
};
