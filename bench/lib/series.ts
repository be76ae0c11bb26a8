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

/** Two-sided 97.5% quantiles of Student's t by degrees of freedom; between rows the smaller df is used (wider). */
const T_975: ReadonlyArray<[number, number]> = [
  [1, 12.71], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [8, 2.306], [10, 2.228],
  [15, 2.131], [20, 2.086], [30, 2.042], [60, 2.0], [120, 1.98],
];

function tQuantile975(df: number): number {
  let q = Number.POSITIVE_INFINITY;
  for (const [rowDf, value] of T_975) if (df >= rowDf) q = value;
  return q;
}

export interface SlopeEstimate {
  /** Least-squares slope, MB per hour. */
  perHour: number;
  /** Half-width of its 95% confidence interval, MB per hour (Infinity with fewer than 3 bins). */
  halfWidth95: number;
  /** How many means the fit used, and what each one averages ("120 s", "one pass over the book's 140 pages"). */
  bins: number;
  binLabel: string;
}

/**
 * Slope per hour with a 95% interval. The samples are averaged into bins of `binSeconds` first:
 * per-second samples of a tree whose workers come and go swing by hundreds of MB and are correlated
 * over a worker's life, so treating them as independent points would make the interval far too
 * narrow. On generated series of the soak's shape (levels held 10-60 s), intervals from 2-minute means
 * held the true slope 94% of the time, from 1-minute means 91% (test/bench/series.test.ts).
 */
export function slopeWithInterval(seconds: number[], mb: number[], binSeconds = 120): SlopeEstimate {
  return slopeOfGroupMeans(seconds, mb, (i) => Math.floor(seconds[i]! / binSeconds), `${binSeconds} s`);
}

/**
 * Slope per hour with a 95% interval, fitted to the means of groups of samples: `groupOf(i)` names the
 * group of sample i, or undefined to leave it out. When the same work repeats (a book made of the same
 * pages again and again), one group per repetition compares like with like: what one page costs more
 * than another cancels out, and what is left between the means is growth.
 */
export function slopeOfGroupMeans(seconds: number[], mb: number[], groupOf: (index: number) => number | undefined, binLabel: string): SlopeEstimate {
  const fit = fitGroupMeans(seconds, mb, groupOf);
  return { perHour: fit.slope * 3600, halfWidth95: fit.halfWidth95 * 3600, bins: fit.bins, binLabel };
}

export interface GroupFit {
  /** Least-squares slope of the group means, in y per unit of x. */
  slope: number;
  /** Half-width of its 95% confidence interval (Infinity with fewer than 3 groups). */
  halfWidth95: number;
  bins: number;
}

/** The slope of y over x with a 95% interval, fitted to the means of groups of points (see slopeOfGroupMeans). */
export function fitGroupMeans(xs: number[], ys: number[], groupOf: (index: number) => number | undefined): GroupFit {
  const bins = new Map<number, { x: number; y: number; n: number }>();
  for (let i = 0; i < xs.length; i++) {
    const key = groupOf(i);
    if (key === undefined) continue;
    const bin = bins.get(key) ?? { x: 0, y: 0, n: 0 };
    bin.x += xs[i]!;
    bin.y += ys[i]!;
    bin.n += 1;
    bins.set(key, bin);
  }
  const meanXs = [...bins.values()].map((b) => b.x / b.n);
  const meanYs = [...bins.values()].map((b) => b.y / b.n);
  const n = meanXs.length;
  const b = slope(meanXs, meanYs);
  if (n < 3) return { slope: b, halfWidth95: Number.POSITIVE_INFINITY, bins: n };
  const meanX = meanXs.reduce((a, v) => a + v, 0) / n;
  const meanY = meanYs.reduce((a, v) => a + v, 0) / n;
  let sxx = 0;
  let residuals = 0;
  for (let i = 0; i < n; i++) {
    sxx += (meanXs[i]! - meanX) ** 2;
    residuals += (meanYs[i]! - meanY - b * (meanXs[i]! - meanX)) ** 2;
  }
  const standardError = Math.sqrt(residuals / (n - 2) / sxx);
  return { slope: b, halfWidth95: tQuantile975(n - 2) * standardError, bins: n };
}

/**
 * The flat-memory goal is about growth: it is met when the whole interval is under the limit, not met
 * when the whole interval is over it, and otherwise not shown either way (a run too short or too noisy).
 */
export function growthVerdict(estimate: SlopeEstimate, limitMbPerHour: number): string {
  const goal = `goal growth < ${limitMbPerHour} MB/hour`;
  if (!Number.isFinite(estimate.halfWidth95)) {
    return `${estimate.perHour.toFixed(1)} MB/hour (${estimate.bins} means of ${estimate.binLabel}: too few for an interval): ${goal} not judged`;
  }
  const lower = estimate.perHour - estimate.halfWidth95;
  const upper = estimate.perHour + estimate.halfWidth95;
  const text = `${estimate.perHour.toFixed(1)} MB/hour (95% interval ${lower.toFixed(1)} to ${upper.toFixed(1)}, fitted to ${estimate.bins} means of ${estimate.binLabel})`;
  if (upper < limitMbPerHour) return `${text}: ${goal} met`;
  if (lower >= limitMbPerHour) return `${text}: ${goal} NOT met`;
  return `${text}: ${goal} not shown (the interval reaches ${upper.toFixed(1)})`;
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
