import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import type { MemoryBudget } from './budget.js';
import { readTreeRss, type ProcessInfo } from './proc.js';
import { formatSignedMiB, toMiB } from './size.js';

export interface ParentMemory {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

export interface MemorySnapshot {
  at: number;
  /** Sum of VmRSS over this process and all its descendants: the figure Keel keeps flat. */
  treeRssBytes: number;
  peakTreeRssBytes: number;
  processes: ProcessInfo[];
  parent: ParentMemory;
  budget: MemoryBudget;
}

export interface MemoryPoint {
  at: number;
  treeRssBytes: number;
}

export interface MemoryMonitorOptions {
  budget: MemoryBudget;
  intervalMs?: number;
  /** Samples kept for charts (a ring buffer: one hour at the default interval). */
  historySize?: number;
  rootPid?: number;
  logger?: Logger;
}

/**
 * Watches the memory of the whole process tree. It samples on an interval (for charts, peaks and
 * the `sample` event), answers fresh snapshots on demand, and writes a log line at the natural
 * boundaries the caller names ("memory after chunk 3: 212 MB (change +4 MB)").
 */
export class MemoryMonitor extends EventEmitter<{ sample: [MemorySnapshot] }> {
  private readonly options: Required<Omit<MemoryMonitorOptions, 'logger'>> & Pick<MemoryMonitorOptions, 'logger'>;
  private readonly ring: MemoryPoint[] = [];
  private ringStart = 0;
  private peakTreeRssBytes = 0;
  private lastBoundaryBytes: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryMonitorOptions) {
    super();
    this.options = { intervalMs: 1000, historySize: 3600, rootPid: process.pid, ...options };
  }

  start(): this {
    if (!this.timer) {
      this.sampleNow();
      this.timer = setInterval(() => this.sampleNow(), this.options.intervalMs);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get budget(): MemoryBudget {
    return this.options.budget;
  }

  /** Reads /proc now. Also feeds the peak, so short spikes between samples are not missed. */
  snapshot(): MemorySnapshot {
    const tree = readTreeRss(this.options.rootPid);
    const usage = process.memoryUsage();
    this.peakTreeRssBytes = Math.max(this.peakTreeRssBytes, tree.totalBytes);
    return {
      at: Date.now(),
      treeRssBytes: tree.totalBytes,
      peakTreeRssBytes: this.peakTreeRssBytes,
      processes: tree.processes,
      parent: {
        rssBytes: usage.rss,
        heapUsedBytes: usage.heapUsed,
        heapTotalBytes: usage.heapTotal,
        externalBytes: usage.external,
        arrayBuffersBytes: usage.arrayBuffers,
      },
      budget: this.options.budget,
    };
  }

  /** Samples kept so far, oldest first. */
  history(sinceMs = 0): MemoryPoint[] {
    const ordered = [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
    return sinceMs > 0 ? ordered.filter((point) => point.at > sinceMs) : ordered;
  }

  get peakBytes(): number {
    return this.peakTreeRssBytes;
  }

  /** Logs the tree RSS at a boundary with its change since the previous boundary. */
  boundary(label: string, extra: Record<string, unknown> = {}): { treeRssBytes: number; changeBytes: number } {
    const { treeRssBytes } = this.snapshot();
    const changeBytes = this.lastBoundaryBytes === undefined ? 0 : treeRssBytes - this.lastBoundaryBytes;
    this.lastBoundaryBytes = treeRssBytes;
    this.options.logger?.info(
      { event: 'memory', boundary: label, treeRssMb: toMiB(treeRssBytes), changeMb: toMiB(changeBytes), ...extra },
      `memory after ${label}: ${Math.round(treeRssBytes / 1024 ** 2)} MB (change ${formatSignedMiB(changeBytes)})`,
    );
    return { treeRssBytes, changeBytes };
  }

  private sampleNow(): void {
    const snapshot = this.snapshot();
    const point = { at: snapshot.at, treeRssBytes: snapshot.treeRssBytes };
    if (this.ring.length < this.options.historySize) {
      this.ring.push(point);
    } else {
      this.ring[this.ringStart] = point;
      this.ringStart = (this.ringStart + 1) % this.options.historySize;
    }
    this.emit('sample', snapshot);
  }
}
