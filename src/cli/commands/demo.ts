import { resolveMemoryBudget, planPoolMemory } from '../../core/memory/budget.js';
import { MemoryMonitor } from '../../core/memory/monitor.js';
import { WorkerPool } from '../../core/pool/pool.js';
import { ProgressTracker } from '../../core/progress.js';
import { createLogger } from '../../core/log.js';
import { parseCommandLine, positiveNumber, type Command } from '../command.js';
import { ProgressBar } from '../progress-bar.js';

const MiB = 1024 ** 2;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the engine on a synthetic leaking workload and watch memory stay flat',
  usage: `
Usage: keel demo [--units N] [--memory-budget SIZE] [--no-progress]

Runs N synthetic units of work (each leaks 1 MB in its worker, like an OCR engine's WASM heap)
through the worker pool. Workers are recycled at their soft limit, so the process tree's RSS
stays flat; a memory line is logged after every chunk of 100 units.

Options:
  --units N              units of work (default 1000)
  --memory-budget SIZE   memory budget, e.g. 512MB (default: KEEL_MEMORY_BUDGET, cgroup limit, 512MB)
  --no-progress          no progress bar
`,
  async run(argv) {
    const { values } = parseCommandLine(argv, {
      units: { type: 'string' },
      'memory-budget': { type: 'string' },
      'no-progress': { type: 'boolean' },
    }, false);
    const units = Math.floor(positiveNumber('units', values.units, 1000)!);
    const budget = resolveMemoryBudget(values['memory-budget']);
    const plan = planPoolMemory(budget.bytes, { steadyBytes: 60 * MiB, taskPeakBytes: 8 * MiB });
    const logger = createLogger({ format: 'text' });
    const monitor = new MemoryMonitor({ budget, logger }).start();
    const pool = new WorkerPool<{ unit: number }, { unit: number; digest: string }>({
      name: 'demo',
      handlerModule: new URL('../demo-handler.js', import.meta.url),
      handlerOptions: { leakBytes: MiB },
      size: plan.workers,
      softRssBytes: plan.softRssBytes,
      hardRssBytes: plan.hardRssBytes,
      prewarm: plan.prewarm,
    });
    const bar = new ProgressBar('units', process.stderr, !values['no-progress'] && process.stderr.isTTY === true);
    pool.on('recycle', (e) => {
      bar.clear();
      logger.info({ event: 'recycle', pid: e.pid, tasks: e.tasksServed }, `worker ${e.pid} recycled: ${e.reason}`);
    });
    logger.info({ budgetMb: budget.bytes / MiB, source: budget.source, workers: plan.workers }, `demo: ${units} units, budget ${budget.bytes / MiB} MB (${budget.source}), ${plan.workers} worker(s), soft ${Math.round(plan.softRssBytes / MiB)} MB, hard ${Math.round(plan.hardRssBytes / MiB)} MB`);
    await pool.start();
    const progress = new ProgressTracker(units);
    const chunk = 100;
    for (let start = 0; start < units; start += chunk) {
      const end = Math.min(units, start + chunk);
      await Promise.all(
        Array.from({ length: end - start }, (_, i) =>
          pool.run({ unit: start + i }).then(() => bar.update(progress.advance(), monitor.snapshot().treeRssBytes)),
        ),
      );
      bar.clear();
      monitor.boundary(`chunk ${start / chunk + 1}/${Math.ceil(units / chunk)}`, { recycles: pool.stats().recycles });
    }
    bar.finish();
    await pool.close();
    monitor.stop();
    const stats = pool.stats();
    process.stdout.write(
      `done: ${stats.completed} units, ${stats.recycles} recycles, peak tree RSS ${Math.round(monitor.peakBytes / MiB)} MB ` +
        `(budget ${budget.bytes / MiB} MB); ${units} MB leaked in total by the workers\n`,
    );
    return 0;
  },
};
