/** The domain-free engine: worker pool, memory measurement and budget, progress, logging. */
export { KeelError, isKeelError, describeError } from './errors.js';
export { WorkerPool, type PoolOptions, type PoolStats, type WorkerStats, type RunOptions } from './pool/pool.js';
export { defineHandler, type TaskHandler, type TaskContext } from './pool/handler.js';
export { PoolErrorCode } from './pool/errors.js';
export { MemoryMonitor, type MemorySnapshot, type MemoryPoint } from './memory/monitor.js';
export { HeapCollector, type HeapCollectorOptions, type HeapCollectorStats } from './memory/heap-collector.js';
export { resolveMemoryBudget, planPoolMemory, DEFAULT_MEMORY_BUDGET_BYTES, type MemoryBudget, type PoolMemoryPlan, type WorkerFootprint } from './memory/budget.js';
export { readTreeRss, readRssBytes, isProcessAlive, type ProcessInfo } from './memory/proc.js';
export { parseByteSize, formatBytes, toMiB } from './memory/size.js';
export { ProgressTracker, type ProgressSnapshot } from './progress.js';
export { createLogger, silentLogger, type Logger } from './log.js';
