import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HeapCollector } from '../core/memory/heap-collector.js';
import type { MemoryMonitor } from '../core/memory/monitor.js';
import type { WorkerPool } from '../core/pool/pool.js';
import type { JobStore } from '../jobs/store.js';

/**
 * Prometheus metrics: prom-client's process defaults plus what Keel promises to show, read live at
 * scrape time from the memory monitor, the pools and the store.
 */
export class KeelMetrics {
  readonly registry = new Registry();
  readonly unitsProcessed: Counter<'kind' | 'outcome'>;

  constructor(sources: { monitor: MemoryMonitor; heapCollector?: HeapCollector; pools: () => Array<WorkerPool<unknown, unknown>>; store: JobStore }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'keel_node_' });
    const { monitor, heapCollector, pools, store } = sources;

    new Gauge({
      name: 'keel_tree_rss_bytes',
      help: 'Resident memory of the whole process tree (server + workers + their children)',
      registers,
      collect() {
        this.set(monitor.snapshot().treeRssBytes);
      },
    });
    if (heapCollector) {
      new Gauge({
        name: 'keel_heap_collector_active',
        help: '1 when the server can collect its own old garbage (node runs with --expose-gc), else 0',
        registers,
        collect() {
          this.set(heapCollector.stats().active ? 1 : 0);
        },
      });
      new Gauge({
        name: 'keel_heap_collections_total',
        help: 'Full collections the server made of its own old garbage when it piled up',
        registers,
        collect() {
          this.set(heapCollector.stats().collections);
        },
      });
    }
    new Gauge({
      name: 'keel_memory_budget_bytes',
      help: 'Memory budget in force',
      registers,
      collect() {
        this.set(monitor.budget.bytes);
      },
    });
    new Gauge({
      name: 'keel_worker_rss_bytes',
      help: 'Resident memory of each worker (with its children)',
      labelNames: ['pool', 'pid'],
      registers,
      collect() {
        this.reset();
        for (const pool of pools()) {
          const stats = pool.stats();
          for (const worker of stats.workers) this.set({ pool: stats.name, pid: String(worker.pid) }, worker.rssBytes);
        }
      },
    });
    new Gauge({
      name: 'keel_queue_depth',
      help: 'Tasks waiting for a worker',
      labelNames: ['pool'],
      registers,
      collect() {
        for (const pool of pools()) this.set({ pool: pool.stats().name }, pool.stats().queueDepth);
      },
    });
    for (const [name, field, help] of [
      ['keel_worker_recycles_total', 'recycles', 'Workers replaced after a task (soft RSS limit or max tasks)'],
      ['keel_worker_kills_total', 'kills', 'Workers killed mid-task (hard RSS limit or silence)'],
      ['keel_task_retries_total', 'retried', 'Tasks retried after their worker died'],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers,
        collect() {
          for (const pool of pools()) this.set({ pool: pool.stats().name }, pool.stats()[field]);
        },
      });
    }
    new Gauge({
      name: 'keel_jobs',
      help: 'Jobs in the store by status',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const [status, count] of Object.entries(store.countByStatus())) this.set({ status }, count);
      },
    });
    this.unitsProcessed = new Counter({
      name: 'keel_units_processed_total',
      help: 'Units of work stored (pages, messages)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
  }
}
