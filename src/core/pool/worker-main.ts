/**
 * Entry point of every pool worker process. It loads one handler module, then serves tasks
 * one at a time over IPC until told to exit, and exits on its own as soon as its parent is gone,
 * so a SIGKILLed parent never leaves workers spinning.
 */
import { pathToFileURL } from 'node:url';
import { describeError } from '../errors.js';
import type { TaskHandler } from './handler.js';
import type { ParentMessage, WorkerMessage } from './protocol.js';

type AnyHandler = TaskHandler<unknown, unknown, unknown, unknown>;

const PARENT_CHECK_INTERVAL_MS = 500;
const originalParentPid = process.ppid;
let handler: AnyHandler | undefined;
let state: unknown;

function send(message: WorkerMessage): void {
  // A parent that dies between the check and the write is an EPIPE: leave quietly, as on disconnect.
  if (process.connected) process.send!(message, undefined, undefined, (error: Error | null) => error && dieWithGroup());
}

/**
 * Ends this worker and everything it started (e.g. a native OCR process). Workers are spawned as
 * process-group leaders, so signalling the negative pid reaches the whole group.
 */
function dieWithGroup(): never {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    // Not a group leader (started by hand): fall through to a plain exit.
  }
  process.exit(1);
}

process.on('disconnect', dieWithGroup);
// 'disconnect' is the fast path; the pid check covers a parent that died before the channel closed.
setInterval(() => {
  if (process.ppid !== originalParentPid) dieWithGroup();
}, PARENT_CHECK_INTERVAL_MS).unref();

async function initialise(handlerModule: string, handlerOptions: unknown): Promise<void> {
  try {
    const url = handlerModule.startsWith('file:') ? handlerModule : pathToFileURL(handlerModule).href;
    const loaded = (await import(url)) as { default?: AnyHandler };
    if (!loaded.default || typeof loaded.default.handle !== 'function') {
      throw new Error(`${handlerModule} has no default export made with defineHandler()`);
    }
    handler = loaded.default;
    state = handler.init ? await handler.init(handlerOptions) : undefined;
    send({ type: 'ready' });
  } catch (error) {
    send({ type: 'init-error', error: describeError(error, 'E_WORKER_INIT') });
  }
}

async function runTask(taskId: number, attempt: number, payload: unknown): Promise<void> {
  const context = { attempt, heartbeat: () => send({ type: 'heartbeat', taskId }) };
  try {
    const value = await handler!.handle(payload, state, context);
    send({ type: 'result', taskId, value });
  } catch (error) {
    send({ type: 'task-error', taskId, error: describeError(error, 'E_TASK_FAILED') });
  }
}

async function retire(): Promise<void> {
  try {
    if (handler?.close) await handler.close(state);
  } finally {
    process.exit(0);
  }
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'init':
      void initialise(message.handlerModule, message.handlerOptions);
      break;
    case 'task':
      void runTask(message.taskId, message.attempt, message.payload);
      break;
    case 'exit':
      void retire();
      break;
  }
});
