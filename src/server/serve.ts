import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { KeelError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { planPoolMemory, resolveMemoryBudget, type MemoryBudget } from '../core/memory/budget.js';
import { MemoryArbiter } from '../core/memory/arbiter.js';
import { HeapCollector } from '../core/memory/heap-collector.js';
import { MemoryMonitor } from '../core/memory/monitor.js';
import { OnDemandPool } from '../core/pool/on-demand-pool.js';
import type { WorkerPool } from '../core/pool/pool.js';
import type { DeedTask } from '../deeds/handler.js';
import { DEED_WORKER_FOOTPRINT, deedPoolOptions, deedScanKind, type DeedTaskRunner } from '../deeds/pipeline.js';
import type { JobKind } from '../jobs/kind.js';
import { JobRunner } from '../jobs/runner.js';
import { JobStore } from '../jobs/store.js';
import type { OcrEngineName } from '../ocr/engine.js';
import { buildApp } from './app.js';
import { loadApiKeys } from './auth.js';
import { lockDataDir } from './data-dir-lock.js';
import { KeelMetrics } from './metrics.js';
import { registerDeedRoutes } from './routes/deeds.js';
import { registerEmailRoutes } from './routes/emails.js';
import type { EmailBatch } from '../email/batch.js';
import { planEmailPool } from '../email/pipeline-options.js';
import { emailAnalysisKind } from '../email/pipeline.js';
import type { AnalysisResult } from '../email/types.js';

const MiB = 1024 ** 2;
/**
 * What the server process itself holds (fastify, SQLite, uploads, SSE, IPC with workers). In an 8-minute
 * soak, run with KEEL_PROCESS_V8_FLAGS (as `keel` and `npm start` run it): median 113 MB, at most 126 MB.
 * Without them its young generation alone grows by ~30 MB (median 144, peaks 162 in 100 minutes), more
 * than this reserve: a deed worker near its hard limit then took the tree past the budget.
 */
const SERVER_RESERVE_BYTES = 144 * MiB;
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string;
  memoryBudget?: string;
  keysFile?: string;
  maxUploadBytes: number;
  maxQueuedJobs: number;
  logFormat: 'text' | 'json';
  ocrCacheDir?: string;
  /** A job that finishes no unit for this long fails with E_STALLED. */
  stallTimeoutMs: number;
  /** Idle pools close after this long, returning their workers' memory. */
  poolIdleMs: number;
  logger?: Logger;
}

export interface RunningService {
  url: string;
  /** The page's URL with the API key in its fragment (never sent to the server, never logged). */
  pageUrl: string | undefined;
  app: FastifyInstance;
  store: JobStore;
  runner: JobRunner;
  monitor: MemoryMonitor;
  budget: MemoryBudget;
  close(): Promise<void>;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Starts the Keel service: job store and runner, on-demand worker pools planned from the memory
 * budget, the HTTP API and the web page. Jobs left running by a killed server resume at once.
 */
export async function startService(options: ServeOptions): Promise<RunningService> {
  const startedAt = Date.now();
  mkdirSync(options.dataDir, { recursive: true });
  const unlock = lockDataDir(options.dataDir);
  const logger = options.logger ?? createLogger({ format: options.logFormat, destination: process.stdout });
  try {
    const budget = resolveMemoryBudget(options.memoryBudget);
    const monitor = new MemoryMonitor({ budget, logger, intervalMs: 1000 }).start();
    const heapCollector = new HeapCollector().start();
    const store = new JobStore(options.dataDir);
    const keys = loadApiKeys({ dataDir: options.dataDir, keysFile: options.keysFile });
    const uploadsDir = join(options.dataDir, 'uploads');
    mkdirSync(uploadsDir, { recursive: true });

    // Every pool is planned against the whole budget (less the server's own reserve) and leases its
    // worst case from one arbiter before it starts: workloads take turns on a small machine and run
    // side by side on a big one. A pool exists only while it has work.
    const parentReserveBytes = SERVER_RESERVE_BYTES;
    const arbiter = new MemoryArbiter(budget.bytes - parentReserveBytes);
    const deedPlans = {
      native: planPoolMemory(budget.bytes, DEED_WORKER_FOOTPRINT.native, { parentReserveBytes }),
      wasm: planPoolMemory(budget.bytes, DEED_WORKER_FOOTPRINT.wasm, { parentReserveBytes }),
    };
    const deedPools = new Map<OcrEngineName, OnDemandPool<DeedTask, unknown>>();
    const logPoolEvents = (pool: WorkerPool<unknown, unknown>) => {
      pool.on('recycle', (e) => logger.info({ event: 'recycle', pool: pool.stats().name, pid: e.pid }, `worker ${e.pid} recycled after ${e.tasksServed} tasks: ${e.reason}`));
      pool.on('kill', (e) => logger.warn({ event: 'kill', pool: pool.stats().name, pid: e.pid }, `worker ${e.pid} killed: ${e.reason}; its task is retried`));
      pool.on('task-failed', (e) => logger.warn({ event: 'task-failed', code: e.code }, `task failed: ${e.message} [${e.code}]`));
    };
    const deedPoolFor = (engine: OcrEngineName): OnDemandPool<DeedTask, unknown> => {
      let pool = deedPools.get(engine);
      if (!pool) {
        const plan = deedPlans[engine];
        pool = new OnDemandPool<DeedTask, unknown>(
          deedPoolOptions(engine, plan, options.ocrCacheDir ?? join(options.dataDir, 'ocr-cache')),
          { idleMs: options.poolIdleMs, onStart: logPoolEvents, arbiter, leaseBytes: plan.worstCaseBytes },
        );
        deedPools.set(engine, pool);
      }
      return pool;
    };

    const emailPlan = planEmailPool(budget.bytes, { parentReserveBytes });
    const emailPool = new OnDemandPool<EmailBatch, AnalysisResult[]>(emailPlan.poolOptions, {
      idleMs: options.poolIdleMs,
      onStart: logPoolEvents,
      arbiter,
      leaseBytes: emailPlan.worstCaseBytes,
    });

    const kinds: JobKind[] = [
      deedScanKind({
        poolFor: (engine) => deedPoolFor(engine) as DeedTaskRunner,
        concurrency: (engine) => deedPlans[engine].workers + 1,
        recycles: (engine) => deedPools.get(engine)?.current?.stats().recycles ?? 0,
        monitor,
        budgetBytes: budget.bytes,
      }),
      emailAnalysisKind({
        pool: emailPool,
        concurrency: emailPlan.concurrency,
        batchSize: emailPlan.batchSize,
        monitor,
        recycles: () => emailPool.current?.stats().recycles ?? 0,
      }),
    ];
    const runner = new JobRunner({
      store,
      executors: kinds,
      logger,
      // One job at a time per 512 MB of budget: pages of concurrent jobs would only compete for
      // the same workers, and a second workload's pool needs room of its own.
      maxConcurrentJobs: Math.max(1, Math.floor(budget.bytes / (512 * MiB))),
      stallTimeoutMs: options.stallTimeoutMs,
    });
    const pools = () =>
      [...deedPools.values(), emailPool].map((pool) => pool.current as WorkerPool<unknown, unknown> | undefined).filter((pool): pool is WorkerPool<unknown, unknown> => pool !== undefined);
    const metrics = new KeelMetrics({ monitor, heapCollector, pools, store });
    // Units processed, for /metrics: the runner publishes each job's running count.
    const lastCounts = new Map<string, number>();
    runner.on('update', (job) => {
      const delta = job.unitsDone - (lastCounts.get(job.id) ?? job.unitsDone);
      if (delta > 0) metrics.unitsProcessed.inc({ kind: job.kind }, delta);
      if (job.status === 'running') lastCounts.set(job.id, job.unitsDone);
      else lastCounts.delete(job.id);
    });

    const app = buildApp({
      keys,
      store,
      runner,
      kinds,
      monitor,
      heapCollector,
      pools,
      metrics,
      logger,
      uploadsDir,
      maxUploadBytes: options.maxUploadBytes,
      maxQueuedJobs: options.maxQueuedJobs,
      webDir: join(packageRoot, 'web'),
      version: packageVersion(),
      startedAt,
      routes: [
        (instance, shared) =>
          registerDeedRoutes(instance, { keys, store, runner, uploadsDir, maxUploadBytes: options.maxUploadBytes, maxQueuedJobs: options.maxQueuedJobs, view: shared.view }),
        (instance, shared) =>
          registerEmailRoutes(instance, {
            keys,
            store,
            runner,
            uploadsDir,
            maxUploadBytes: options.maxUploadBytes,
            maxQueuedJobs: options.maxQueuedJobs,
            view: shared.view,
            pool: emailPool,
            concurrency: emailPlan.concurrency,
            batchSize: emailPlan.batchSize,
          }),
      ],
    });
    let address: string;
    try {
      address = await app.listen({ host: options.host, port: options.port });
    } catch (error) {
      await Promise.all([...deedPools.values(), emailPool].map((pool) => pool.close()));
      monitor.stop();
      heapCollector.stop();
      store.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new KeelError('E_PORT_IN_USE', `port ${options.port} on ${options.host} is already in use: choose another with --port or KEEL_PORT`);
      }
      throw error;
    }
    runner.start();
    const url = address.replace('[::1]', 'localhost');
    const pageUrl = keys.localKey ? `${url}/#key=${keys.localKey}` : undefined;
    logger.info(
      { event: 'listening', url, dataDir: resolve(options.dataDir), budgetMb: Math.round(budget.bytes / MiB), budgetSource: budget.source },
      `Keel is listening on ${url} (data in ${resolve(options.dataDir)}, memory budget ${Math.round(budget.bytes / MiB)} MB from ${budget.source})`,
    );

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await runner.stop();
        await app.close();
        await Promise.all([...deedPools.values(), emailPool].map((pool) => pool.close()));
        monitor.stop();
        heapCollector.stop();
        store.close();
        unlock();
      })());
    return { url, pageUrl, app, store, runner, monitor, budget, close };
  } catch (error) {
    unlock();
    throw error;
  }
}
