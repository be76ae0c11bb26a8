/**
 * Drives a lazy stream of messages through a batch runner: items are pulled from the source only
 * when a batch can be sent, at most `concurrency` batches are in flight, and results are delivered
 * in source order as soon as every earlier one has been delivered. So the parent holds at most
 * `concurrency x batchSize` references and results, whatever the mailbox's size.
 *
 * (src/core/unit-runner.ts does the same for an array of units known in advance; a mailbox is read
 * as it goes, so its length is not known up front.)
 */

export interface BatchStreamOptions<T, R> {
  source: AsyncIterable<T> | Iterable<T>;
  batchSize: number;
  /** Batches in flight at once: the pool's workers plus one, so no worker waits for the parent. */
  concurrency: number;
  /** Must resolve with exactly one result per item, in item order. */
  execute(batch: T[], signal: AbortSignal): Promise<R[]>;
  /** Called in source order; may be async (a store write, a write to a slow pipe): the stream waits. */
  onResult(item: T, result: R, position: number): void | Promise<void>;
  signal?: AbortSignal;
}

export interface BatchStreamSummary {
  delivered: number;
  batches: number;
}

export async function runBatchStream<T, R>(options: BatchStreamOptions<T, R>): Promise<BatchStreamSummary> {
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  // In-flight batches are abandoned (their signal aborted) when delivery fails or the caller cancels.
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(options.signal?.reason);
  if (options.signal?.aborted) inner.abort(options.signal.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const iterator = (Symbol.asyncIterator in options.source ? options.source[Symbol.asyncIterator]() : options.source[Symbol.iterator]()) as
    | AsyncIterator<T>
    | Iterator<T>;
  const inFlight: Array<{ items: T[]; results: Promise<R[]> }> = [];
  let exhausted = false;
  let delivered = 0;
  let batches = 0;

  const nextBatch = async (): Promise<T[]> => {
    const items: T[] = [];
    while (items.length < batchSize && !exhausted) {
      const step = await iterator.next();
      if (step.done) exhausted = true;
      else items.push(step.value);
    }
    return items;
  };

  try {
    for (;;) {
      while (!exhausted && inFlight.length < concurrency) {
        inner.signal.throwIfAborted();
        const items = await nextBatch();
        if (items.length === 0) break;
        const results = options.execute(items, inner.signal);
        // Rejections are handled when the batch reaches the head; never reported as unhandled meanwhile.
        results.catch(() => undefined);
        inFlight.push({ items, results });
        batches++;
      }
      const head = inFlight.shift();
      if (!head) break;
      const results = await head.results;
      inner.signal.throwIfAborted();
      if (results.length !== head.items.length) throw new Error(`a batch of ${head.items.length} gave ${results.length} results`);
      for (let i = 0; i < head.items.length; i++) {
        await options.onResult(head.items[i]!, results[i]!, delivered);
        delivered++;
      }
    }
  } catch (error) {
    inner.abort(error);
    await Promise.allSettled(inFlight.map((batch) => batch.results));
    await (iterator as AsyncIterator<T>).return?.();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  return { delivered, batches };
}
