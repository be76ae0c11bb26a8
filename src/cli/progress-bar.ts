import { Writable } from 'node:stream';
import type { ProgressSnapshot } from '../core/progress.js';

const WIDTH = 28;

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '--:--';
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mmss = `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

/**
 * A one-line progress bar on stderr, redrawn in place at most ten times a second. It draws only on
 * a terminal: piped or logged stderr gets the periodic log lines instead.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = stream.isTTY === true,
  ) {}

  update(progress: ProgressSnapshot, treeRssBytes: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const fraction = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
    const line =
      `${this.unit} ${progress.done}/${progress.total} [${bar}] ${progress.percent.toFixed(1)}%` +
      ` elapsed ${formatDuration(progress.elapsedMs)} ETA ${formatDuration(progress.etaMs)}` +
      ` ${progress.rate.toFixed(1)}/s RSS ${Math.round(treeRssBytes / 1024 ** 2)} MB`;
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Clears the bar so that the next log line or the result starts on a clean line. */
  clear(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** A stream for log lines that first clears the bar, so a log line never lands mid-bar. */
  logDestination(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.clear();
        this.stream.write(chunk, callback);
      },
    });
  }

  finish(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
