import { readTreeRss } from '../../src/core/memory/proc.js';

export interface RssPoint {
  /** Seconds since the sampler started. */
  t: number;
  treeRssMb: number;
  /** The root process alone (the parent), to tell its growth from its workers'. */
  rootRssMb: number;
  /** Work units finished when the sample was taken. */
  done: number;
}

/** Samples the RSS of a whole process tree on an interval, for charts, peaks and slopes. */
export class TreeRssSampler {
  readonly points: RssPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly rootPid: number,
    private readonly progress: () => number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    const tree = readTreeRss(this.rootPid);
    this.points.push({
      t: (Date.now() - this.startedAt) / 1000,
      treeRssMb: tree.totalBytes / 1024 ** 2,
      rootRssMb: (tree.processes.find((p) => p.pid === this.rootPid)?.rssBytes ?? 0) / 1024 ** 2,
      done: this.progress(),
    });
  }

  stop(): RssPoint[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.points;
  }
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - meanX) * (ys[i]! - meanY);
    den += (xs[i]! - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface SeriesSummary {
  peakMb: number;
  meanMb: number;
  /** Slope over the second half of the run, per hour of wall time. */
  slopeMbPerHour: number;
  /** Slope over the second half of the run, per 1000 units of work. */
  slopeMbPer1000Units: number;
}

/** Peak and second-half slopes: the first half holds warm-up (model loads), the second the trend. */
export function summarise(points: RssPoint[]): SeriesSummary {
  const half = points.slice(Math.floor(points.length / 2));
  const rss = half.map((p) => p.treeRssMb);
  return {
    peakMb: Math.max(...points.map((p) => p.treeRssMb)),
    meanMb: points.reduce((a, p) => a + p.treeRssMb, 0) / Math.max(1, points.length),
    slopeMbPerHour: slope(half.map((p) => p.t), rss) * 3600,
    slopeMbPer1000Units: slope(half.map((p) => p.done), rss) * 1000,
  };
}

export function toCsv(points: RssPoint[]): string {
  return 't_seconds,tree_rss_mb,root_rss_mb,units_done\n' + points.map((p) => `${p.t.toFixed(2)},${p.treeRssMb.toFixed(1)},${p.rootRssMb.toFixed(1)},${p.done}`).join('\n') + '\n';
}
