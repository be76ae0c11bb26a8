/**
 * Benchmark: a handler that leaks 1 MB per task, run for thousands of tasks through the pool with
 * recycling and, side by side in the same run, without it (the baseline: persistent workers that
 * are never replaced, as a plain worker pool does). Prints tree RSS over time and its slope.
 *
 *   npm run bench:pool -- --tasks 5000
 */
import { WorkerPool } from '../src/core/pool/pool.js';
import { describeMachine } from './lib/machine.js';
import { argValue, exitOnHelp, markdownTable, updateBenchmarksMd, writeBenchFile } from './lib/report.js';
import { summarise, toCsv, TreeRssSampler, type RssPoint } from './lib/series.js';

exitOnHelp(`
Worker pool: a handler that leaks 1 MB per task, with recycling and without, side by side.
Rewrites its BENCHMARKS.md section.

  npm run bench:pool -- [--tasks 5000]
`);

const MiB = 1024 ** 2;
const tasks = Number(argValue("tasks", "5000"));
const leakBytes = Number(argValue('leak-mb', '1')) * MiB;
const workers = 2;
const command = `npm run bench:pool -- --tasks ${tasks}`;

interface Variant {
  name: string;
  softRssBytes: number;
  hardRssBytes: number;
}

const variants: Variant[] = [
  { name: 'recycling (soft 128 MB, hard 192 MB)', softRssBytes: 128 * MiB, hardRssBytes: 192 * MiB },
  { name: 'no recycling (baseline)', softRssBytes: 64 * 1024 * MiB, hardRssBytes: 64 * 1024 * MiB },
];

async function runVariant(variant: Variant): Promise<{ points: RssPoint[]; seconds: number; recycles: number; kills: number }> {
  const pool = new WorkerPool<number, string>({
    handlerModule: new URL('./handlers/leaky-handler.js', import.meta.url),
    handlerOptions: { leakBytes },
    size: workers,
    maxQueue: 16,
    softRssBytes: variant.softRssBytes,
    hardRssBytes: variant.hardRssBytes,
    maxTasksPerWorker: 1_000_000,
  });
  await pool.start();
  let done = 0;
  const sampler = new TreeRssSampler(process.pid, () => done, 200);
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let unit = 0; unit < tasks; unit++) {
    const task = pool.run(unit).then(() => {
      done++;
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= 32) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (Date.now() - started) / 1000;
  const points = sampler.stop();
  const { recycles, kills } = pool.stats();
  await pool.close();
  return { points, seconds, recycles, kills };
}

function rssAtFractions(points: RssPoint[]): string {
  const last = points[points.length - 1]!.done;
  return [0.1, 0.25, 0.5, 0.75, 1]
    .map((fraction) => {
      const point = points.find((p) => p.done >= fraction * last) ?? points[points.length - 1]!;
      return `${Math.round(point.treeRssMb)}`;
    })
    .join(' / ');
}

const rows: Array<Array<string | number>> = [];
const summaries: Array<ReturnType<typeof summarise>> = [];
for (const [index, variant] of variants.entries()) {
  const result = await runVariant(variant);
  const summary = summarise(result.points);
  summaries.push(summary);
  writeBenchFile(`pool-recycling-${index === 0 ? 'recycling' : 'baseline'}.csv`, toCsv(result.points));
  rows.push([
    variant.name,
    tasks,
    (tasks / result.seconds).toFixed(0),
    Math.round(summary.peakMb),
    rssAtFractions(result.points),
    summary.slopeMbPer1000Units.toFixed(1),
    result.recycles,
  ]);
  console.log(`${variant.name}: ${tasks} tasks in ${result.seconds.toFixed(1)} s, peak tree RSS ${Math.round(summary.peakMb)} MB, second-half slope ${summary.slopeMbPer1000Units.toFixed(1)} MB per 1000 tasks, ${result.recycles} recycles`);
}

const ratio = summaries[1]!.peakMb / summaries[0]!.peakMb;
const table = markdownTable(
  ['variant', 'tasks', 'tasks/s', 'peak tree RSS (MB)', 'tree RSS at 10/25/50/75/100% of tasks (MB)', 'slope, 2nd half (MB per 1000 tasks)', 'recycles'],
  rows,
);
const markdown = `## Worker pool: recycling a leaking handler

Each task leaks ${leakBytes / MiB} MB inside its worker (as an OCR engine's WASM heap does: it never shrinks);
${workers} workers; tree RSS = parent + workers, from /proc, sampled every 200 ms.
Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}. Command: \`${command}\`.

${table}

Baseline / recycling peak tree RSS: **${ratio.toFixed(1)}x**. With recycling the slope is flat
(${summaries[0]!.slopeMbPer1000Units.toFixed(1)} MB per 1000 tasks against ${summaries[1]!.slopeMbPer1000Units.toFixed(1)} without).
Raw series: \`bench/out/pool-recycling-*.csv\`.`;
console.log('\n' + table + `\n\nratio (baseline/recycling peak): ${ratio.toFixed(1)}x\nreproduce: ${command}`);
updateBenchmarksMd('pool-recycling', markdown);
