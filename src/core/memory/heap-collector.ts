import { getHeapSpaceStatistics } from 'node:v8';

/** Bytes in use in V8's old generation: every space but the young generation's, which scavenges keep bounded. */
export function oldGenerationBytes(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space') bytes += space.space_used_size;
  }
  return bytes;
}

export interface HeapCollectorOptions {
  /** How often the heap is looked at (a cheap V8 call). */
  intervalMs?: number;
  /** Garbage tolerated above what was live after the last full collection before collecting again. */
  slackBytes?: number;
  /** The full collection to run; default: `gc` as `node --expose-gc` exposes it. */
  collect?: () => void;
}

export interface HeapCollectorStats {
  /** False when the process has no `gc` (started without --expose-gc): the collector then does nothing. */
  active: boolean;
  collections: number;
  /** Time spent in this collector's collections, the whole process paused meanwhile. */
  totalPauseMs: number;
  /** Old generation in use after the last full collection (V8's or this collector's). */
  liveBytes: number;
}

/**
 * Keeps a long-running coordinating process (the CLI parent, the server) at the heap it actually uses.
 *
 * V8 collects its old generation only when it reaches a limit set at the previous full collection, up
 * to ~4x what was live then. A process that allocates slowly (a keel process waiting on OCR, ~5 s a
 * page) promotes a little garbage at every young collection and reaches that limit only after hours:
 * in the 1000-page deed book its old space grew ~8 MB/hour (16 minutes traced) with no full collection
 * after its 11th second: about two thirds of what showed as the keel process's RSS "growth" (the rest is
 * outside the V8 heap). It would have fallen at the limit; meanwhile it hides real growth, and the memory
 * line after each chunk measures garbage.
 *
 * So every `intervalMs` this looks at the old generation, and when it is more than `slackBytes` above
 * what was live there after the last full collection, it collects. A process that allocates fast gets a full
 * collection at most once per interval (measured: 18 ms for the server's ~12 MB heap, 14-31 ms with the wink
 * model loaded); one that does not grow is never touched.
 */
export class HeapCollector {
  private readonly intervalMs: number;
  private readonly slackBytes: number;
  private readonly collect: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private collections = 0;
  private totalPauseMs = 0;
  private liveBytes: number;

  constructor(options: HeapCollectorOptions = {}) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.slackBytes = options.slackBytes ?? 1024 * 1024;
    this.collect = options.collect ?? (globalThis as { gc?: () => void }).gc;
    this.liveBytes = oldGenerationBytes();
  }

  start(): this {
    if (this.collect && !this.timer) {
      this.timer = setInterval(() => this.collectIfGrown(), this.intervalMs);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the heap: collects when it has grown past the slack. Returns whether it collected. */
  collectIfGrown(): boolean {
    if (!this.collect) return false;
    const used = oldGenerationBytes();
    // V8's own full collections lower what is in use; follow them down so the slack is measured from there.
    if (used < this.liveBytes) this.liveBytes = used;
    if (used - this.liveBytes <= this.slackBytes) return false;
    const started = performance.now();
    this.collect();
    this.totalPauseMs += performance.now() - started;
    this.collections += 1;
    this.liveBytes = oldGenerationBytes();
    return true;
  }

  stats(): HeapCollectorStats {
    return { active: this.collect !== undefined, collections: this.collections, totalPauseMs: this.totalPauseMs, liveBytes: this.liveBytes };
  }
}
