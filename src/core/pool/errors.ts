import { KeelError } from '../errors.js';

/** Error codes the pool itself produces; handler errors keep their own codes. */
export const PoolErrorCode = {
  queueFull: 'E_QUEUE_FULL',
  closed: 'E_POOL_CLOSED',
  workerInit: 'E_WORKER_INIT',
  /** The task's worker died or was killed on every attempt: likely a poison input. */
  taskKilledWorker: 'E_TASK_KILLED_WORKER',
  aborted: 'E_ABORTED',
  /** The task's payload could not be serialised for a worker (nested too deep, a function, ...). */
  unsendable: 'E_TASK_UNSENDABLE',
} as const;

export function queueFullError(maxQueue: number): KeelError {
  return new KeelError(PoolErrorCode.queueFull, `the work queue is full (${maxQueue} tasks waiting); try again later`, {
    details: { maxQueue },
  });
}

export function poolClosedError(): KeelError {
  return new KeelError(PoolErrorCode.closed, 'the worker pool is shut down');
}

export function abortedError(reason?: unknown): KeelError {
  return new KeelError(PoolErrorCode.aborted, reason instanceof Error ? reason.message : 'the task was cancelled');
}

export function taskKilledWorkerError(attempts: number, lastReason: string): KeelError {
  return new KeelError(
    PoolErrorCode.taskKilledWorker,
    `the task was given up after ${attempts} attempt${attempts === 1 ? '' : 's'}: each time its worker died or was killed (last: ${lastReason})`,
    { details: { attempts, lastReason } },
  );
}

export function unsendableTaskError(cause: unknown): KeelError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new KeelError(PoolErrorCode.unsendable, `the task could not be sent to a worker process: ${reason}`, { cause });
}
