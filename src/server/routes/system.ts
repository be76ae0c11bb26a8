import type { FastifyInstance } from 'fastify';
import type { HeapCollector } from '../../core/memory/heap-collector.js';
import type { MemoryMonitor } from '../../core/memory/monitor.js';
import type { WorkerPool } from '../../core/pool/pool.js';
import type { JobRunner } from '../../jobs/runner.js';
import type { KeelMetrics } from '../metrics.js';

const MiB = 1024 ** 2;
const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

export interface SystemRoutesDeps {
  monitor: MemoryMonitor;
  heapCollector?: HeapCollector | undefined;
  pools: () => Array<WorkerPool<unknown, unknown>>;
  runner: JobRunner;
  metrics: KeelMetrics;
  startedAt: number;
  version: string;
}

function heapCollectorView(collector: HeapCollector) {
  const stats = collector.stats();
  return { active: stats.active, collections: stats.collections, pause_ms_total: Math.round(stats.totalPauseMs), old_generation_live_mb: mb(stats.liveBytes) };
}

/** Health, memory and metrics: public (no key), because operators and the page's chart need them. */
export function registerSystemRoutes(app: FastifyInstance, deps: SystemRoutesDeps): void {
  const { monitor, pools, runner, metrics } = deps;

  app.get('/health', async () => ({ status: 'ok', version: deps.version, uptime_s: Math.round((Date.now() - deps.startedAt) / 1000), active_jobs: runner.activeJobs }));

  app.get<{ Querystring: { since?: string } }>('/memory-status', async (request) => {
    const snapshot = monitor.snapshot();
    const poolStats = pools().map((pool) => pool.stats());
    const workerInfo = new Map<number, { pool: string; tasks: number; state: string }>();
    for (const stats of poolStats) {
      for (const worker of [...stats.workers, ...(stats.standby ? [stats.standby] : [])]) {
        workerInfo.set(worker.pid, { pool: stats.name, tasks: worker.tasksServed, state: worker.state });
      }
    }
    const since = Number(request.query.since ?? 0);
    return {
      at: new Date(snapshot.at).toISOString(),
      tree_rss_mb: mb(snapshot.treeRssBytes),
      peak_tree_rss_mb: mb(snapshot.peakTreeRssBytes),
      budget: {
        mb: mb(snapshot.budget.bytes),
        source: snapshot.budget.source,
        cgroup_limit_mb: snapshot.budget.cgroupLimitBytes === undefined ? null : mb(snapshot.budget.cgroupLimitBytes),
      },
      parent: {
        pid: process.pid,
        rss_mb: mb(snapshot.parent.rssBytes),
        heap_used_mb: mb(snapshot.parent.heapUsedBytes),
        heap_total_mb: mb(snapshot.parent.heapTotalBytes),
        external_mb: mb(snapshot.parent.externalBytes),
        array_buffers_mb: mb(snapshot.parent.arrayBuffersBytes),
        ...(deps.heapCollector ? { heap_collector: heapCollectorView(deps.heapCollector) } : {}),
      },
      processes: snapshot.processes.map((p) => {
        const worker = workerInfo.get(p.pid);
        const role = p.pid === process.pid ? 'server' : worker ? 'worker' : 'worker-child';
        return { pid: p.pid, ppid: p.ppid, name: p.name, role, rss_mb: mb(p.rssBytes), ...(worker ? { pool: worker.pool, state: worker.state, tasks_served: worker.tasks } : {}) };
      }),
      pools: poolStats.map((stats) => ({
        name: stats.name,
        workers: stats.workers.length,
        size: stats.size,
        queue_depth: stats.queueDepth,
        in_flight: stats.inFlight,
        completed: stats.completed,
        failed: stats.failed,
        retried: stats.retried,
        recycles: stats.recycles,
        kills: stats.kills,
        soft_limit_mb: mb(stats.limits.softRssBytes),
        hard_limit_mb: mb(stats.limits.hardRssBytes),
        max_tasks_per_worker: stats.limits.maxTasksPerWorker,
      })),
      history: monitor.history(since).map((point) => ({ t: point.at, rss_mb: mb(point.treeRssBytes) })),
    };
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
