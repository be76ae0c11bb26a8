import { availableParallelism } from 'node:os';
import { readCgroupMemoryLimit } from './cgroup.js';
import { parseByteSize } from './size.js';

const MiB = 1024 ** 2;

/** The machine Keel is built for; used when nobody says otherwise. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 512 * MiB;

export interface MemoryBudget {
  bytes: number;
  /** Where the figure came from, reported by /memory-status so nobody has to guess. */
  source: 'option' | 'env' | 'cgroup' | 'default';
  cgroupLimitBytes: number | undefined;
}

/** Budget precedence: explicit option, then KEEL_MEMORY_BUDGET, then the cgroup limit, then 512 MB. */
export function resolveMemoryBudget(option?: string | number): MemoryBudget {
  const cgroupLimitBytes = readCgroupMemoryLimit();
  if (option !== undefined && option !== '') {
    return { bytes: typeof option === 'number' ? option : parseByteSize(option), source: 'option', cgroupLimitBytes };
  }
  const env = process.env.KEEL_MEMORY_BUDGET;
  if (env) return { bytes: parseByteSize(env), source: 'env', cgroupLimitBytes };
  if (cgroupLimitBytes !== undefined) return { bytes: cgroupLimitBytes, source: 'cgroup', cgroupLimitBytes };
  return { bytes: DEFAULT_MEMORY_BUDGET_BYTES, source: 'default', cgroupLimitBytes };
}

export interface WorkerFootprint {
  /** Typical RSS of one worker after its handler is loaded and has served a few tasks. */
  steadyBytes: number;
  /** How far one task may push a worker above its steady state (a page render, a big message). */
  taskPeakBytes: number;
  /** RSS of a freshly started worker that has served nothing yet (a prewarmed successor). Default: steadyBytes. */
  idleBytes?: number;
  /**
   * How far past its hard limit a worker may get before the pool's guard reads it again (its fastest
   * growth over one guard interval). The hard limit is planned this far below the worker's share,
   * so the overshoot still fits the budget. Default 0.
   */
  overshootBytes?: number;
}

export interface PoolMemoryPlan {
  workers: number;
  softRssBytes: number;
  hardRssBytes: number;
  parentReserveBytes: number;
  /** A successor started before its worker retires costs one more worker for a moment. */
  prewarm: boolean;
  /** The most the pool's workers can hold at once: what it leases from a shared budget. */
  worstCaseBytes: number;
}

/**
 * Splits a memory budget between the parent and its workers. The parent keeps a fixed reserve;
 * each worker gets an equal share as its hard limit (the kill backstop), and a soft limit
 * (recycle after the task) set low enough that a worker recycled at the soft limit can still
 * run one more peak task before reaching the hard limit.
 */
export function planPoolMemory(
  budgetBytes: number,
  footprint: WorkerFootprint,
  options: { parentReserveBytes?: number; maxWorkers?: number; prewarm?: boolean } = {},
): PoolMemoryPlan {
  const parentReserveBytes = options.parentReserveBytes ?? 96 * MiB;
  const maxWorkers = Math.max(1, options.maxWorkers ?? availableParallelism());
  const overshootBytes = footprint.overshootBytes ?? 0;
  const perWorkerNeed = footprint.steadyBytes + footprint.taskPeakBytes;
  const perWorkerShare = perWorkerNeed + overshootBytes;
  const forWorkers = Math.max(0, budgetBytes - parentReserveBytes);
  // A prewarmed successor waits beside the workers at its start-up size.
  const standbyBytes = footprint.idleBytes ?? footprint.steadyBytes;
  const fits = (n: number, prewarm: boolean) => n * perWorkerShare + (prewarm ? standbyBytes : 0) <= forWorkers;
  const wantPrewarm = options.prewarm ?? true;
  // A second worker doubles throughput on a second core; a prewarmed successor only hides a
  // worker's start-up at each recycle. So the worker count comes first, the standby second.
  let workers = maxWorkers;
  while (workers > 1 && !fits(workers, false)) workers--;
  const prewarm = wantPrewarm && fits(workers, true);
  const share = Math.floor((forWorkers - (prewarm ? standbyBytes : 0)) / workers);
  // Never plan a hard limit below what one task needs: a too-small budget is reported by the
  // memory monitor rather than turned into a pool that kills every task.
  const hardRssBytes = Math.max(share - overshootBytes, perWorkerNeed);
  const softRssBytes = Math.max(footprint.steadyBytes, hardRssBytes - footprint.taskPeakBytes);
  const worstCaseBytes = workers * (hardRssBytes + overshootBytes) + (prewarm ? standbyBytes : 0);
  return { workers, softRssBytes, hardRssBytes, parentReserveBytes, prewarm, worstCaseBytes };
}
