import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { describeError, KeelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { JobRecord, JobStore, ResultRowWriter, StoredUnit } from './store.js';

/**
 * Runs queued jobs from the store. Which work a job means is up to its executor (a deed scan, a
 * mailbox analysis); the runner owns the job's life: claim with a lease, renew it, resume after a
 * crash with only the missing units, cancel, fail a job that stops making progress, and give
 * running jobs back to the queue on shutdown.
 */

export interface JobContext {
  job: JobRecord;
  /** Aborted on cancel, on a stall, and on shutdown. */
  signal: AbortSignal;
  /** Units stored by an earlier run of this job: skip them. */
  alreadyStored: Set<number>;
  setTotal(total: number): void;
  /** Stores one unit's result (never twice) and publishes progress. */
  recordUnit(unit: number, ok: boolean, result: unknown): boolean;
  /** Every unit stored so far, in unit order, streamed from the store. */
  readUnits<T>(): Iterable<StoredUnit<T>>;
  /** Starts the job's result rows, computed once its units are done (see JobStore.startResultRows). */
  startResultRows(): ResultRowWriter;
  logger: Logger;
}

/**
 * The context an executor runs in, over a store. The runner makes one per claimed job; the CLI makes
 * one directly, so `keel scan` and the service run the very same executor.
 */
export function createJobContext(store: JobStore, job: JobRecord, signal: AbortSignal, logger: Logger, publish: (id: string) => void): JobContext {
  return {
    job,
    signal,
    alreadyStored: store.storedUnitNumbers(job.id),
    logger,
    setTotal: (total) => {
      store.setTotal(job.id, total);
      publish(job.id);
    },
    recordUnit: (unit, ok, result) => {
      const stored = store.recordUnit(job.id, unit, ok, result);
      if (stored) publish(job.id);
      return stored;
    },
    readUnits: <T>() => store.iterateUnits<T>(job.id),
    startResultRows: () => store.startResultRows(job.id),
  };
}

export interface JobExecutor {
  kind: string;
  /** Processes the job's missing units; resolves with the job's summary. */
  run(context: JobContext): Promise<unknown>;
}

export interface JobRunnerOptions {
  store: JobStore;
  executors: JobExecutor[];
  logger: Logger;
  maxConcurrentJobs?: number;
  leaseMs?: number;
  /** A running job that finishes no unit for this long fails with E_STALLED. */
  stallTimeoutMs?: number;
  pollMs?: number;
}

type StopReason = 'cancelled' | 'stalled' | 'shutdown';

class StopSignal extends Error {
  constructor(readonly reason: StopReason) {
    super(reason);
  }
}

export class JobRunner extends EventEmitter<{ update: [JobRecord] }> {
  private readonly options: Required<JobRunnerOptions>;
  private readonly executors: Map<string, JobExecutor>;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly leaseOwner = `${hostname()}:${process.pid}:${Date.now()}`;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(options: JobRunnerOptions) {
    super();
    this.options = { maxConcurrentJobs: 2, leaseMs: 30_000, stallTimeoutMs: 10 * 60_000, pollMs: 1000, ...options };
    this.executors = new Map(options.executors.map((executor) => [executor.kind, executor]));
  }

  /** Requeues jobs left running by a dead server, then starts taking jobs. */
  start(): void {
    const resumed = this.options.store.reclaimAllRunning();
    if (resumed > 0) this.options.logger.info({ event: 'resume', jobs: resumed }, `resuming ${resumed} job(s) left running by a previous server`);
    this.timer = setInterval(() => this.tick(), this.options.pollMs);
    this.timer.unref();
    this.tick();
  }

  /** Looks for work now (call after queueing a job). */
  wake(): void {
    setImmediate(() => this.tick());
  }

  get activeJobs(): number {
    return this.running.size;
  }

  /** Cancels a job: a queued one at once, a running one as soon as its in-flight units return. */
  cancel(id: string): boolean {
    const active = this.running.get(id);
    const finished = this.options.store.finishJob(id, 'cancelled', { code: 'E_CANCELLED', message: 'cancelled by request' });
    active?.controller.abort(new StopSignal('cancelled'));
    if (finished) this.publish(id);
    return finished;
  }

  /** Stops taking jobs; running jobs are interrupted and go back to the queue for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    for (const { controller } of this.running.values()) controller.abort(new StopSignal('shutdown'));
    await Promise.allSettled([...this.running.values()].map((entry) => entry.done));
  }

  private tick(): void {
    if (this.stopping) return;
    const { store, leaseMs, stallTimeoutMs } = this.options;
    try {
      for (const [id] of this.running) store.renewLease(id, this.leaseOwner, leaseMs);
      for (const job of store.stalledJobs(Date.now() - stallTimeoutMs)) {
        this.running.get(job.id)?.controller.abort(new StopSignal('stalled'));
      }
      store.reclaimExpired();
      while (this.running.size < this.options.maxConcurrentJobs) {
        const job = store.claimNextJob(this.leaseOwner, leaseMs);
        if (!job) break;
        this.launch(job);
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'job runner could not read the store');
    }
  }

  private launch(job: JobRecord): void {
    const controller = new AbortController();
    const done = this.execute(job, controller).finally(() => {
      this.running.delete(job.id);
      this.tick();
    });
    this.running.set(job.id, { controller, done });
  }

  private async execute(job: JobRecord, controller: AbortController): Promise<void> {
    const { store, logger } = this.options;
    const log = logger.child({ job: job.id, kind: job.kind });
    const executor = this.executors.get(job.kind);
    this.publish(job.id);
    if (!executor) {
      store.finishJob(job.id, 'failed', { code: 'E_UNKNOWN_JOB_KIND', message: `no executor for jobs of kind "${job.kind}"` });
      this.publish(job.id);
      return;
    }
    const context = createJobContext(store, job, controller.signal, log, (id) => this.publish(id));
    const resumed = context.alreadyStored.size;
    log.info({ event: 'job-start', resumedUnits: resumed }, resumed > 0 ? `job ${job.id} resumed: ${resumed} unit(s) already stored` : `job ${job.id} started`);
    try {
      // An executor stuck in a call that ignores the signal must not hold the job hostage: the job
      // is settled as soon as it is aborted, and whatever the executor does later is ignored.
      const summary = await Promise.race([executor.run(context), rejectOnAbort(controller.signal)]);
      if (controller.signal.aborted) throw controller.signal.reason;
      store.finishJob(job.id, 'done', { summary });
      log.info({ event: 'job-done' }, `job ${job.id} done`);
    } catch (error) {
      const stop = controller.signal.aborted ? (controller.signal.reason as unknown) : undefined;
      if (stop instanceof StopSignal && stop.reason === 'shutdown') {
        store.requeue(job.id);
        log.info({ event: 'job-requeued' }, `job ${job.id} interrupted by shutdown; it resumes on the next start`);
      } else if (stop instanceof StopSignal && stop.reason === 'cancelled') {
        log.info({ event: 'job-cancelled' }, `job ${job.id} cancelled`);
      } else if (stop instanceof StopSignal && stop.reason === 'stalled') {
        const minutes = Math.round(this.options.stallTimeoutMs / 60_000);
        const message = `no progress for ${minutes >= 1 ? `${minutes} min` : `${Math.round(this.options.stallTimeoutMs / 1000)} s`}: the job was stopped`;
        store.finishJob(job.id, 'failed', { code: 'E_STALLED', message });
        log.warn({ event: 'job-stalled' }, `job ${job.id} failed: ${message}`);
      } else {
        const { code, message } = describeError(error);
        store.finishJob(job.id, 'failed', { code, message });
        log.warn({ event: 'job-failed', code }, `job ${job.id} failed: ${message} [${code}]`);
      }
    }
    this.publish(job.id);
  }

  private publish(id: string): void {
    const job = this.options.store.getJob(id);
    if (job) this.emit('update', job);
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function isStopSignal(error: unknown): boolean {
  return error instanceof StopSignal || (error instanceof KeelError && error.code === 'E_ABORTED');
}
