/**
 * Drives units of work (pages, messages) through an executor (usually a worker pool) in chunks,
 * with bounded concurrency, delivering results in unit order. The caller stores each result as it
 * arrives, so nothing accumulates here: at most `concurrency` results wait for an earlier one.
 */

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface ChunkInfo {
  /** 1-based. */
  chunk: number;
  chunks: number;
  /** Position (0-based, among all units) of the chunk's first and last unit. */
  first: number;
  last: number;
  units: number;
  ms: number;
}

export interface UnitRunOptions<U, R> {
  units: readonly U[];
  /** Units per chunk: the unit of logging and checkpointing. */
  chunkSize: number;
  /** Units in flight at once (the pool's size, plus one so a worker never idles between tasks). */
  concurrency: number;
  execute(unit: U, signal: AbortSignal): Promise<R>;
  /** Called in unit order. May be async (a store write); the runner waits for it. */
  onResult(unit: U, result: Settled<R>, position: number): void | Promise<void>;
  onChunk?(info: ChunkInfo): void | Promise<void>;
  /** Checked after each delivered result; true stops the run early (in-flight units are abandoned). */
  shouldStop?(): boolean;
  signal?: AbortSignal;
}

export interface UnitRunSummary {
  delivered: number;
  stoppedEarly: boolean;
  aborted: boolean;
}

export async function runUnits<U, R>(options: UnitRunOptions<U, R>): Promise<UnitRunSummary> {
  const { units, execute, onResult } = options;
  const chunkSize = Math.max(1, Math.floor(options.chunkSize));
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const chunks = Math.ceil(units.length / chunkSize);
  // Abandoning in-flight units on an early stop or a cancel: the executor sees this signal.
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let delivered = 0;
  let stoppedEarly = false;

  try {
    // One continuous stream: the next chunk's units start while the last of this one finish, so
    // a chunk boundary never leaves a worker idle. Chunks are reported as delivery crosses them.
    const pending = new Map<number, Promise<Settled<R>>>();
    let next = 0;
    let chunkStartedAt = Date.now();
    const launch = () => {
      while (next < units.length && pending.size < concurrency && !inner.signal.aborted) {
        const position = next++;
        pending.set(
          position,
          execute(units[position]!, inner.signal).then(
            (value): Settled<R> => ({ ok: true, value }),
            (error: unknown): Settled<R> => ({ ok: false, error }),
          ),
        );
      }
    };
    launch();
    for (let position = 0; position < units.length; position++) {
      const result = pending.get(position);
      if (!result || inner.signal.aborted) break;
      const settled = await result;
      pending.delete(position);
      if (inner.signal.aborted) break;
      await onResult(units[position]!, settled, position);
      delivered++;
      if (options.shouldStop?.()) {
        stoppedEarly = true;
        inner.abort(new Error('stopped early'));
        break;
      }
      launch();
      const chunkEnd = position === units.length - 1 || (position + 1) % chunkSize === 0;
      if (chunkEnd) {
        const chunk = Math.floor(position / chunkSize);
        const first = chunk * chunkSize;
        await options.onChunk?.({ chunk: chunk + 1, chunks, first, last: position, units: position - first + 1, ms: Date.now() - chunkStartedAt });
        chunkStartedAt = Date.now();
      }
    }
    // Let abandoned units settle (their outcomes are already captured) before returning.
    await Promise.allSettled(pending.values());
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  return { delivered, stoppedEarly, aborted: options.signal?.aborted === true };
}
