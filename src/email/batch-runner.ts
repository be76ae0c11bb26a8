/**
 * What runs a batch of messages: a worker pool (isolation "process", the default) or this process
 * (isolation "inline"). Both run the same `analyzeBatch`, so they give the same results.
 *
 * The pool side adds what a pool alone cannot know: a batch whose worker died on every attempt
 * (a poison message, or one that blows the hard memory limit) is split and its messages are run one
 * by one, so only the guilty message fails (E_TASK_KILLED_WORKER) and the rest of the batch is kept.
 */
import { describeError, isKeelError, KeelError } from '../core/errors.js';
import { PoolErrorCode } from '../core/pool/errors.js';
import type { RunOptions } from '../core/pool/pool.js';
import type { EmailBatch } from './batch.js';
import type { EmailOptions } from './options.js';
import type { AnalysisResult } from './types.js';

export type Isolation = 'process' | 'inline';
export const ISOLATIONS: readonly Isolation[] = ['process', 'inline'];

/** Runs one batch; resolves with exactly one result per item, in item order. */
export interface EmailBatchRunner {
  run(batch: EmailBatch, options?: RunOptions): Promise<AnalysisResult[]>;
}

/** Anything that runs email batches on workers: a WorkerPool or an OnDemandPool. */
export interface EmailTaskPool {
  run(batch: EmailBatch, options?: RunOptions): Promise<AnalysisResult[]>;
}

type AnalysisModule = typeof import('./analyze-batch.js');

/**
 * The same analysis in this process: no isolation, no IPC. The analysis code (and the wink model
 * with it) is imported on first use, so a parent that runs batches on workers never loads it.
 */
export class InlineEmailRunner implements EmailBatchRunner {
  private module: Promise<AnalysisModule> | undefined;

  constructor(private readonly defaults?: Partial<EmailOptions>) {}

  /** Loads the analysis and the model now, so the first batch is not slower than the others. */
  async warm(): Promise<void> {
    const module = await this.load();
    const nlp = await import('./nlp.js');
    nlp.getNlp();
    void module;
  }

  async run(batch: EmailBatch, options: RunOptions = {}): Promise<AnalysisResult[]> {
    options.signal?.throwIfAborted();
    const { analyzeBatch } = await this.load();
    return analyzeBatch(batch, this.defaults);
  }

  private load(): Promise<AnalysisModule> {
    this.module ??= import('./analyze-batch.js');
    return this.module;
  }
}

/** Pool errors that say nothing about the messages: the run stops rather than blame them. */
const INFRASTRUCTURE_CODES = new Set<string>([PoolErrorCode.aborted, PoolErrorCode.closed, PoolErrorCode.workerInit, PoolErrorCode.queueFull]);

function isInfrastructureError(error: unknown): boolean {
  return isKeelError(error) && INFRASTRUCTURE_CODES.has(error.code);
}

/** Batches on pool workers, with poison messages isolated (see the file comment). */
export class PoolEmailRunner implements EmailBatchRunner {
  /** Messages given up because their worker died on every attempt. */
  poisoned = 0;

  constructor(private readonly pool: EmailTaskPool) {}

  async run(batch: EmailBatch, options: RunOptions = {}): Promise<AnalysisResult[]> {
    try {
      const results = await this.pool.run(batch, options);
      if (!Array.isArray(results) || results.length !== batch.items.length) {
        throw new KeelError('E_INTERNAL', `a worker answered ${Array.isArray(results) ? results.length : 'no'} results for ${batch.items.length} messages`);
      }
      return results;
    } catch (error) {
      if (isInfrastructureError(error) || options.signal?.aborted) throw error;
      const { code, message } = describeError(error, 'E_INTERNAL');
      if (batch.items.length === 1) {
        if (code === PoolErrorCode.taskKilledWorker) this.poisoned++;
        const item = batch.items[0]!;
        return [{ id: item.id, ok: false, code, message: code === PoolErrorCode.taskKilledWorker ? `analysing this message killed its worker: ${message}` : message }];
      }
      // Someone in this batch is guilty: run each message alone to find out who.
      const singles = batch.items.map((item) => this.run(batch.options ? { items: [item], options: batch.options } : { items: [item] }, options));
      return (await Promise.all(singles)).map((results) => results[0]!);
    }
  }
}
