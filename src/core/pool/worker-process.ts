import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ParentMessage, SerializedError, WorkerMessage } from './protocol.js';

export type WorkerState = 'starting' | 'idle' | 'busy' | 'retiring' | 'exited';

// Run compiled (dist/*.js) or from source under tsx (*.ts): the worker entry has the same suffix.
const suffix = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const workerMainPath = fileURLToPath(new URL(`./worker-main${suffix}`, import.meta.url));

export interface WorkerSpawnOptions {
  handlerModule: string;
  handlerOptions: unknown;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The parent's handle on one worker process: its state, what it is running, its last measured
 * RSS (its own plus its descendants'), and the means to retire or kill it.
 */
export class WorkerProcess extends EventEmitter<{
  message: [WorkerMessage];
  exit: [code: number | null, signal: NodeJS.Signals | null];
}> {
  readonly pid: number;
  state: WorkerState = 'starting';
  tasksServed = 0;
  rssBytes = 0;
  /** The worker and its descendants as the last full sample of /proc found them. */
  treePids: number[] = [];
  startedAt = Date.now();
  lastActivityAt = Date.now();
  /** Id of the task in flight, if any. */
  currentTaskId: number | undefined;
  /** Why the pool killed this worker, when it did. */
  killReason: string | undefined;
  initError: SerializedError | undefined;
  /** Whether the handler ever finished loading (a worker that never did is a start-up failure). */
  everReady = false;
  private readonly child: ChildProcess;

  constructor(options: WorkerSpawnOptions) {
    super();
    this.child = fork(workerMainPath, [], {
      serialization: 'advanced',
      // Own process group, so a kill reaches the worker's own children (e.g. a native OCR run).
      detached: true,
      // Worker output goes to our stderr: stdout is reserved for results (JSON, CSV).
      stdio: ['ignore', 2, 2, 'ipc'],
      execArgv: options.execArgv ?? process.execArgv,
      env: { ...(options.env ?? process.env), KEEL_WORKER: '1' },
    });
    if (this.child.pid === undefined) throw new Error('could not start a worker process');
    this.pid = this.child.pid;
    this.treePids = [this.pid];
    this.child.on('message', (message: WorkerMessage) => {
      this.lastActivityAt = Date.now();
      this.emit('message', message);
    });
    this.child.on('exit', (code, signal) => {
      this.state = 'exited';
      this.emit('exit', code, signal);
    });
    // An IPC write to a dying worker raises EPIPE here; the 'exit' event handles the aftermath.
    this.child.on('error', () => undefined);
    this.post({ type: 'init', handlerModule: options.handlerModule, handlerOptions: options.handlerOptions });
  }

  post(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message, () => undefined);
  }

  /**
   * Sends a task. The payload is serialised here, synchronously: one that cannot be (nested too deep
   * for the serialiser's stack, say) throws before anything is sent, and the worker stays idle.
   */
  startTask(taskId: number, attempt: number, payload: unknown): void {
    this.post({ type: 'task', taskId, attempt, payload });
    this.state = 'busy';
    this.currentTaskId = taskId;
    this.lastActivityAt = Date.now();
  }

  /** Graceful: the worker finishes its `close` hook and exits; killed if it lingers. */
  retire(graceMs = 3000): void {
    if (this.state === 'exited') return;
    this.state = 'retiring';
    this.post({ type: 'exit' });
    const timer = setTimeout(() => this.kill('did not exit after retirement'), graceMs);
    timer.unref();
    this.child.once('exit', () => clearTimeout(timer));
  }

  /** Backstop: SIGKILL the worker's whole process group. */
  kill(reason: string): void {
    if (this.state === 'exited') return;
    this.killReason ??= reason;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  get exitedAlready(): boolean {
    return this.state === 'exited';
  }
}
