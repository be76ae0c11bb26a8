import { EventEmitter, getMaxListeners, setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import { KeelError } from '../errors.js';
import { readRssBytes, readTreeRss, TreeFinder } from '../memory/proc.js';
import { abortedError, poolClosedError, queueFullError, taskKilledWorkerError, unsendableTaskError } from './errors.js';
import type { WorkerMessage } from './protocol.js';
import { WorkerProcess } from './worker-process.js';

const MiB = 1024 ** 2;

export interface PoolOptions {
  /** Module whose default export is a `defineHandler(...)`; a path or a file: URL. */
  handlerModule: string | URL;
  /** Passed to the handler's `init` in every worker (must survive structured cloning). */
  handlerOptions?: unknown;
  /** Name used in logs and events. */
  name?: string;
  /** Number of workers serving tasks. */
  size?: number;
  /** Tasks allowed to wait for a worker; beyond that, `run` waits or rejects (`whenQueueFull`). */
  maxQueue?: number;
  whenQueueFull?: 'wait' | 'reject';
  /** After a task, a worker above this RSS is replaced (graceful recycling). */
  softRssBytes?: number;
  /** A worker above this RSS at any moment is SIGKILLed and its task retried (backstop). */
  hardRssBytes?: number;
  /** After this many tasks a worker is replaced, whatever its RSS. */
  maxTasksPerWorker?: number;
  /** A busy worker silent (no result, no heartbeat) for this long is killed and its task retried. */
  taskTimeoutMs?: number;
  /** Attempts per task before it is given up as a poison input. */
  maxAttempts?: number;
  /** How often each worker's tree is walked again (which finds new children) and its RSS read from /proc. */
  sampleIntervalMs?: number;
  /**
   * How often, between those samples, a busy worker's tree as last found is re-read against the hard
   * limit: a few status files, cheap enough to read 20 times a second. A worker growing fast passes
   * its hard limit by what it allocates between two readings (17 MB in 250 ms, seen in a soak).
   */
  guardIntervalMs?: number;
  /** A worker that takes longer than this to load its handler is killed. */
  startupTimeoutMs?: number;
  /** Start a worker's successor before it retires, so the pool never waits for a cold start. */
  prewarm?: boolean;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface RunOptions {
  signal?: AbortSignal;
}

export interface WorkerStats {
  pid: number;
  state: string;
  rssBytes: number;
  tasksServed: number;
  startedAt: number;
}

export interface PoolStats {
  name: string;
  size: number;
  workers: WorkerStats[];
  standby: WorkerStats | undefined;
  queueDepth: number;
  inFlight: number;
  completed: number;
  failed: number;
  retried: number;
  recycles: number;
  kills: number;
  spawned: number;
  limits: { softRssBytes: number; hardRssBytes: number; maxTasksPerWorker: number; taskTimeoutMs: number; maxAttempts: number };
}

export interface PoolEvents {
  spawn: [{ pid: number; standby: boolean }];
  recycle: [{ pid: number; reason: string; rssBytes: number; tasksServed: number }];
  kill: [{ pid: number; reason: string; rssBytes: number; taskId: number | undefined }];
  'worker-exit': [{ pid: number; code: number | null; signal: string | null; expected: boolean }];
  retry: [{ taskId: number; attempt: number; reason: string }];
  'task-failed': [{ taskId: number; code: string; message: string }];
  sample: [{ workers: WorkerStats[] }];
}

interface PendingTask {
  id: number;
  payload: unknown;
  /** Attempts started so far. */
  attempts: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  settled: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

type Resolved = Required<Omit<PoolOptions, 'handlerOptions' | 'execArgv' | 'env'>> & Pick<PoolOptions, 'handlerOptions' | 'execArgv' | 'env'>;

/**
 * A pool of persistent child processes that each load one handler and serve many tasks.
 *
 * Memory is held flat the way trusted process managers do it, plus a retry that makes the backstop
 * lossless: workers are recycled between tasks when their current RSS passes the soft limit or they
 * have served `maxTasksPerWorker` tasks; a worker above the hard limit, or silent past the task
 * timeout, is SIGKILLed mid-task and its task goes back to the front of the queue. A task that kills
 * `maxAttempts` workers is rejected as a poison input while the rest of the work continues.
 */
export class WorkerPool<Payload = unknown, Result = unknown> extends EventEmitter<PoolEvents> {
  private readonly options: Resolved;
  private readonly handlerModule: string;
  private readonly workers = new Set<WorkerProcess>();
  private standby: WorkerProcess | undefined;
  private readonly retiring = new Set<WorkerProcess>();
  private readonly queue: PendingTask[] = [];
  private readonly running = new Map<number, PendingTask>();
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private nextTaskId = 1;
  private sampler: NodeJS.Timeout | undefined;
  private guard: NodeJS.Timeout | undefined;
  private closing = false;
  private failure: KeelError | undefined;
  private consecutiveInitFailures = 0;
  private counters = { completed: 0, failed: 0, retried: 0, recycles: 0, kills: 0, spawned: 0 };

  constructor(options: PoolOptions) {
    super();
    this.options = {
      name: 'pool',
      size: 1,
      maxQueue: 64,
      whenQueueFull: 'wait',
      softRssBytes: 256 * MiB,
      hardRssBytes: 384 * MiB,
      maxTasksPerWorker: 1000,
      taskTimeoutMs: 120_000,
      maxAttempts: 3,
      sampleIntervalMs: 250,
      guardIntervalMs: 50,
      startupTimeoutMs: 60_000,
      prewarm: true,
      ...options,
    };
    if (this.options.softRssBytes > this.options.hardRssBytes) {
      throw new KeelError('E_BAD_OPTION', 'the soft RSS limit must not exceed the hard RSS limit');
    }
    const module = options.handlerModule;
    this.handlerModule = module instanceof URL ? fileURLToPath(module) : module.startsWith('file:') ? fileURLToPath(module) : module;
  }

  /** Starts the workers and waits until each has loaded its handler. */
  async start(): Promise<void> {
    this.sampler = setInterval(() => this.sample(), this.options.sampleIntervalMs);
    this.sampler.unref();
    if (this.options.guardIntervalMs < this.options.sampleIntervalMs) {
      this.guard = setInterval(() => this.guardHardLimit(), this.options.guardIntervalMs);
      this.guard.unref();
    }
    for (let i = 0; i < this.options.size; i++) this.spawn(false);
    // Ready when every serving worker has loaded its handler. A worker that dies while starting
    // (killed from outside, say) is replaced like any other; only a handler that throws in `init`,
    // or three start-up deaths in a row, fail the start.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.failure) {
          this.off('spawn', check);
          clearInterval(poll);
          reject(this.failure);
        } else if (this.workers.size >= this.options.size && [...this.workers].every((worker) => worker.everReady)) {
          this.off('spawn', check);
          clearInterval(poll);
          resolve();
        }
      };
      const poll = setInterval(check, 20);
      this.on('spawn', check);
      check();
    }).catch(async (error: unknown) => {
      await this.destroy();
      throw error;
    });
  }

  /**
   * Runs one task on some worker. Resolves with the handler's result; rejects with the handler's
   * error (not retried: a thrown error is an answer), or with E_TASK_KILLED_WORKER when the task
   * killed every worker it was given to.
   */
  async run(payload: Payload, runOptions: RunOptions = {}): Promise<Result> {
    if (this.failure) throw this.failure;
    if (this.closing) throw poolClosedError();
    runOptions.signal?.throwIfAborted();
    while (this.queue.length >= this.options.maxQueue) {
      if (this.options.whenQueueFull === 'reject') throw queueFullError(this.options.maxQueue);
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      if (this.failure) throw this.failure;
      if (this.closing) throw poolClosedError();
      runOptions.signal?.throwIfAborted();
    }
    return new Promise<Result>((resolve, reject) => {
      const task: PendingTask = {
        id: this.nextTaskId++,
        payload,
        attempts: 0,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
        signal: runOptions.signal,
        onAbort: undefined,
      };
      if (task.signal) {
        task.onAbort = () => this.settle(task, abortedError(task.signal?.reason));
        this.allowListenersFor(task.signal);
        task.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  /**
   * Every task holds one abort listener on its signal until it settles, and callers share a signal
   * between tasks (a batch split into single messages queues 64 at once). Node warns about a leak past
   * 10 listeners; here they are bounded by the queue and the workers, so that bound is the limit.
   */
  private allowListenersFor(signal: AbortSignal): void {
    const bound = this.options.maxQueue + this.options.size + 10;
    if (getMaxListeners(signal) < bound) setMaxListeners(bound, signal);
  }

  /** True when `run` would have to wait (or reject) for queue space. */
  get isSaturated(): boolean {
    return this.queue.length >= this.options.maxQueue;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /** Pids of every live worker process, standby and retiring ones included. */
  pids(): number[] {
    return this.allWorkers().map((worker) => worker.pid);
  }

  stats(): PoolStats {
    const { softRssBytes, hardRssBytes, maxTasksPerWorker, taskTimeoutMs, maxAttempts } = this.options;
    return {
      name: this.options.name,
      size: this.options.size,
      workers: [...this.workers, ...this.retiring].map(describeWorker),
      standby: this.standby ? describeWorker(this.standby) : undefined,
      queueDepth: this.queue.length,
      inFlight: this.running.size,
      ...this.counters,
      limits: { softRssBytes, hardRssBytes, maxTasksPerWorker, taskTimeoutMs, maxAttempts },
    };
  }

  /** Finishes queued and running tasks, then retires every worker. */
  async close(): Promise<void> {
    this.closing = true;
    this.wakeSpaceWaiters();
    if (this.queue.length > 0 || this.running.size > 0) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
    const exits = this.allWorkers().map((worker) => exitOf(worker));
    for (const worker of this.allWorkers()) worker.retire();
    await Promise.all(exits);
    this.stopSampling();
  }

  /** Kills every worker now; waiting and running tasks are rejected with E_POOL_CLOSED. */
  async destroy(): Promise<void> {
    this.closing = true;
    for (const task of [...this.queue, ...this.running.values()]) this.settle(task, poolClosedError());
    this.queue.length = 0;
    this.wakeSpaceWaiters();
    const exits = this.allWorkers().map((worker) => exitOf(worker));
    for (const worker of this.allWorkers()) worker.kill('pool destroyed');
    await Promise.all(exits);
    this.stopSampling();
  }

  // ---- internals -------------------------------------------------------------------------

  private allWorkers(): WorkerProcess[] {
    const all = [...this.workers, ...this.retiring];
    if (this.standby) all.push(this.standby);
    return all;
  }

  private spawn(standby: boolean): WorkerProcess {
    const worker = new WorkerProcess({
      handlerModule: this.handlerModule,
      handlerOptions: this.options.handlerOptions,
      execArgv: this.options.execArgv,
      env: this.options.env,
    });
    this.counters.spawned++;
    if (standby) this.standby = worker;
    else this.workers.add(worker);
    worker.on('message', (message) => this.onMessage(worker, message));
    worker.on('exit', (code, signal) => this.onExit(worker, code, signal));
    const startupTimer = setTimeout(() => {
      if (worker.state === 'starting') worker.kill(`did not load its handler within ${this.options.startupTimeoutMs} ms`);
    }, this.options.startupTimeoutMs);
    startupTimer.unref();
    worker.once('exit', () => clearTimeout(startupTimer));
    this.emit('spawn', { pid: worker.pid, standby });
    return worker;
  }

  private onMessage(worker: WorkerProcess, message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.consecutiveInitFailures = 0;
        worker.everReady = true;
        if (worker.state === 'starting') worker.state = 'idle';
        this.pump();
        return;
      case 'init-error':
        worker.initError = message.error;
        worker.kill(`could not load its handler: ${message.error.message}`);
        return;
      case 'heartbeat':
        return;
      case 'result':
      case 'task-error': {
        if (worker.currentTaskId !== message.taskId) return;
        const task = this.running.get(message.taskId);
        this.running.delete(message.taskId);
        worker.currentTaskId = undefined;
        worker.tasksServed++;
        if (task) {
          if (message.type === 'result') {
            this.counters.completed++;
            this.settle(task, undefined, message.value);
          } else {
            this.counters.failed++;
            this.emit('task-failed', { taskId: task.id, ...message.error });
            this.settle(task, new KeelError(message.error.code, message.error.message));
          }
        }
        this.afterTask(worker);
        this.pump();
        this.checkDrained();
        return;
      }
    }
  }

  /** Graceful recycling decision, taken between tasks with a fresh RSS reading. */
  private afterTask(worker: WorkerProcess): void {
    // Fresh RSS of the worker and of its children as known at the last sample (a few ms old).
    worker.rssBytes = readKnownTreeRss(worker);
    const { softRssBytes, maxTasksPerWorker, prewarm } = this.options;
    let reason: string | undefined;
    if (worker.rssBytes > softRssBytes) reason = `RSS ${mb(worker.rssBytes)} above soft limit ${mb(softRssBytes)}`;
    else if (worker.tasksServed >= maxTasksPerWorker) reason = `served ${worker.tasksServed} tasks (max ${maxTasksPerWorker})`;
    if (reason && !this.closing) {
      this.recycle(worker, reason);
      return;
    }
    worker.state = 'idle';
    const nearLimit = worker.tasksServed >= maxTasksPerWorker - 1 || worker.rssBytes > softRssBytes * 0.9;
    if (prewarm && nearLimit && !this.standby && !this.closing) this.spawn(true);
  }

  private recycle(worker: WorkerProcess, reason: string): void {
    this.workers.delete(worker);
    this.retiring.add(worker);
    this.counters.recycles++;
    this.emit('recycle', { pid: worker.pid, reason, rssBytes: worker.rssBytes, tasksServed: worker.tasksServed });
    worker.retire();
    this.replenish();
  }

  /** Keeps `size` serving workers, promoting the prewarmed standby first. */
  private replenish(): void {
    if (this.closing || this.failure) return;
    while (this.workers.size < this.options.size) {
      if (this.standby) {
        this.workers.add(this.standby);
        this.standby = undefined;
      } else {
        this.spawn(false);
      }
    }
  }

  private onExit(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const expected = this.retiring.delete(worker);
    this.workers.delete(worker);
    if (this.standby === worker) this.standby = undefined;
    this.emit('worker-exit', { pid: worker.pid, code, signal, expected });

    if (worker.initError || (!worker.everReady && !this.closing)) {
      this.noteInitFailure(worker);
    }
    const taskId = worker.currentTaskId;
    if (taskId !== undefined) {
      worker.currentTaskId = undefined;
      const task = this.running.get(taskId);
      this.running.delete(taskId);
      if (task && !task.settled) {
        const reason = worker.killReason ?? `worker ${worker.pid} exited (${signal ?? `code ${code}`})`;
        this.retryOrGiveUp(task, reason);
      }
    }
    if (!this.failure) this.replenish();
    this.pump();
    this.checkDrained();
  }

  private noteInitFailure(worker: WorkerProcess): void {
    this.consecutiveInitFailures++;
    if (this.failure) return;
    // A handler that throws in `init` will throw again: fail now. A worker that merely died while
    // starting gets replaced, up to three times in a row.
    if (worker.initError) {
      this.failure = new KeelError('E_WORKER_INIT', `a worker could not load its handler: ${worker.initError.message}`, { details: { cause: worker.initError.code } });
    } else if (this.consecutiveInitFailures >= 3) {
      this.failure = new KeelError('E_WORKER_INIT', `workers keep dying while they start (${worker.killReason ?? 'exited while starting'})`);
    } else {
      return;
    }
    for (const task of this.queue) this.settle(task, this.failure);
    this.queue.length = 0;
    this.wakeSpaceWaiters();
  }

  private retryOrGiveUp(task: PendingTask, reason: string): void {
    if (task.attempts >= this.options.maxAttempts) {
      this.counters.failed++;
      const error = taskKilledWorkerError(task.attempts, reason);
      this.emit('task-failed', { taskId: task.id, code: error.code, message: error.message });
      this.settle(task, error);
      return;
    }
    this.counters.retried++;
    this.emit('retry', { taskId: task.id, attempt: task.attempts + 1, reason });
    // To the front: a retried task should not wait behind work that arrived after it.
    this.queue.unshift(task);
  }

  private pump(): void {
    if (this.failure) return;
    for (const worker of this.workers) {
      while (this.queue.length > 0 && worker.state === 'idle') {
        const task = this.queue.shift()!;
        if (task.settled) continue;
        try {
          worker.startTask(task.id, task.attempts + 1, task.payload);
        } catch (error) {
          // Not the worker's fault and not worth a retry: the same payload will not serialise next time.
          // (Left unhandled, the throw reached the caller, the pool thought the worker busy, and the
          // task's retry after the silence timeout threw again inside an event handler: the process died.)
          const failure = unsendableTaskError(error);
          this.counters.failed++;
          this.emit('task-failed', { taskId: task.id, code: failure.code, message: failure.message });
          this.settle(task, failure);
          this.wakeSpaceWaiters();
          this.checkDrained();
          continue;
        }
        task.attempts++;
        this.running.set(task.id, task);
        this.wakeSpaceWaiters();
      }
      if (this.queue.length === 0) break;
    }
  }

  /** The RSS backstop and the silence timeout, checked a few times a second. */
  private sample(): void {
    const finder = new TreeFinder();
    const now = Date.now();
    for (const worker of this.allWorkers()) {
      if (worker.exitedAlready) continue;
      const tree = readTreeRss(worker.pid, finder);
      worker.rssBytes = tree.totalBytes;
      worker.treePids = tree.processes.map((member) => member.pid);
      if (worker.rssBytes > this.options.hardRssBytes) {
        this.kill(worker, `RSS ${mb(worker.rssBytes)} above hard limit ${mb(this.options.hardRssBytes)}`);
      } else if (worker.state === 'busy' && now - worker.lastActivityAt > this.options.taskTimeoutMs) {
        this.kill(worker, `silent for ${Math.round((now - worker.lastActivityAt) / 1000)} s (task timeout ${Math.round(this.options.taskTimeoutMs / 1000)} s)`);
      }
    }
    this.emit('sample', { workers: [...this.workers].map(describeWorker) });
  }

  /** The hard limit between samples: re-reads each busy worker's tree as the last sample found it. */
  private guardHardLimit(): void {
    for (const worker of this.workers) {
      if (worker.state !== 'busy' || worker.killReason || worker.treePids.length === 0) continue;
      const total = readKnownTreeRss(worker);
      worker.rssBytes = total;
      if (total > this.options.hardRssBytes) this.kill(worker, `RSS ${mb(total)} above hard limit ${mb(this.options.hardRssBytes)}`);
    }
  }

  private kill(worker: WorkerProcess, reason: string): void {
    if (worker.killReason) return;
    this.counters.kills++;
    this.emit('kill', { pid: worker.pid, reason, rssBytes: worker.rssBytes, taskId: worker.currentTaskId });
    worker.kill(reason);
  }

  private settle(task: PendingTask, error: unknown, value?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
    if (error === undefined) task.resolve(value);
    else task.reject(error);
    // An aborted task that was still queued leaves the queue now.
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.wakeSpaceWaiters();
    }
    this.checkDrained();
  }

  private wakeSpaceWaiters(): void {
    while (this.spaceWaiters.length > 0 && (this.queue.length < this.options.maxQueue || this.closing || this.failure)) {
      this.spaceWaiters.shift()!();
    }
  }

  private checkDrained(): void {
    const busy = [...this.running.values()].some((task) => !task.settled);
    if (this.queue.length === 0 && !busy) {
      while (this.drainWaiters.length > 0) this.drainWaiters.shift()!();
    }
  }

  private stopSampling(): void {
    if (this.sampler) clearInterval(this.sampler);
    if (this.guard) clearInterval(this.guard);
    this.sampler = undefined;
    this.guard = undefined;
  }
}

function describeWorker(worker: WorkerProcess): WorkerStats {
  return { pid: worker.pid, state: worker.state, rssBytes: worker.rssBytes, tasksServed: worker.tasksServed, startedAt: worker.startedAt };
}

function exitOf(worker: WorkerProcess): Promise<void> {
  if (worker.exitedAlready) return Promise.resolve();
  return new Promise((resolve) => worker.once('exit', () => resolve()));
}

function mb(bytes: number): string {
  return `${Math.round(bytes / MiB)} MB`;
}

/** Fresh RSS of a worker's tree as the last sample found its members (a few status files, no walk). */
function readKnownTreeRss(worker: WorkerProcess): number {
  let total = 0;
  for (const pid of worker.treePids) total += readRssBytes(pid) ?? 0;
  return total;
}
