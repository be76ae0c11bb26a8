/**
 * Messages between the pool (parent) and a worker process over the IPC channel. The channel
 * uses Node's "advanced" serialization, so payloads may carry Uint8Arrays, Maps and Dates.
 */

export interface SerializedError {
  code: string;
  message: string;
}

export type ParentMessage =
  | { type: 'init'; handlerModule: string; handlerOptions: unknown }
  | { type: 'task'; taskId: number; attempt: number; payload: unknown }
  | { type: 'exit' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; taskId: number; value: unknown }
  | { type: 'task-error'; taskId: number; error: SerializedError }
  | { type: 'heartbeat'; taskId: number };
