/**
 * What a worker process runs. A handler module's default export is made with `defineHandler`:
 * `init` runs once per process (load a model, start an OCR engine) and its result is the state
 * every task sees; `handle` serves one task at a time; `close` runs on a graceful retirement.
 */
export interface TaskContext {
  /** 1 for the first try; higher when an earlier worker died or was killed running this task. */
  attempt: number;
  /** Tells the pool the task is alive, resetting its silence timeout (for long tasks). */
  heartbeat(): void;
}

export interface TaskHandler<Options, State, Payload, Result> {
  init?(options: Options): Promise<State> | State;
  handle(payload: Payload, state: State, context: TaskContext): Promise<Result> | Result;
  close?(state: State): Promise<void> | void;
}

export function defineHandler<Options, State, Payload, Result>(
  handler: TaskHandler<Options, State, Payload, Result>,
): TaskHandler<Options, State, Payload, Result> {
  return handler;
}
