import { EventEmitter } from 'node:events';

export interface ProgressSnapshot {
  done: number;
  total: number;
  /** 0..100, one decimal. */
  percent: number;
  elapsedMs: number;
  /** Undefined until there is a rate to extrapolate from. */
  etaMs: number | undefined;
  /** Units per second over the recent window. */
  rate: number;
}

const WINDOW = 20;

/**
 * Counts units of work (pages, messages) and derives percent, rate and ETA. The rate is taken over
 * the last few completions, not since the start, so a resumed job or a slow first page (model
 * loading) does not distort the ETA for long; parallel workers finishing in bursts average out.
 */
export class ProgressTracker extends EventEmitter<{ progress: [ProgressSnapshot] }> {
  private doneCount: number;
  private readonly startedAt: number;
  private readonly recent: Array<{ at: number; done: number }> = [];

  constructor(
    private totalCount: number,
    options: { alreadyDone?: number; startedAt?: number } = {},
  ) {
    super();
    this.doneCount = options.alreadyDone ?? 0;
    this.startedAt = options.startedAt ?? Date.now();
    this.recent.push({ at: Date.now(), done: this.doneCount });
  }

  set total(total: number) {
    this.totalCount = total;
  }

  get total(): number {
    return this.totalCount;
  }

  advance(units = 1): ProgressSnapshot {
    this.doneCount += units;
    this.recent.push({ at: Date.now(), done: this.doneCount });
    if (this.recent.length > WINDOW) this.recent.shift();
    const snapshot = this.snapshot();
    this.emit('progress', snapshot);
    return snapshot;
  }

  snapshot(): ProgressSnapshot {
    const now = Date.now();
    const first = this.recent[0]!;
    const seconds = (now - first.at) / 1000;
    const rate = seconds > 0 && this.doneCount > first.done ? (this.doneCount - first.done) / seconds : 0;
    const remaining = Math.max(0, this.totalCount - this.doneCount);
    const percent = this.totalCount > 0 ? Math.round((this.doneCount / this.totalCount) * 1000) / 10 : 0;
    const etaMs = remaining === 0 ? 0 : rate > 0 ? Math.round((remaining / rate) * 1000) : undefined;
    return { done: this.doneCount, total: this.totalCount, percent, elapsedMs: now - this.startedAt, etaMs, rate: Math.round(rate * 100) / 100 };
  }
}
