import type { LeaseHolder, MemoryArbiter } from '../memory/arbiter.js';
import { poolClosedError } from './errors.js';
import { WorkerPool, type PoolOptions, type RunOptions } from './pool.js';

export interface OnDemandPoolOptions {
  /** Close the pool after this long without a task. */
  idleMs?: number;
  /** Called with each pool started (to attach event listeners). */
  onStart?: (pool: WorkerPool<unknown, unknown>) => void;
  /** Lease the pool's worst-case memory from here before starting it. */
  arbiter?: MemoryArbiter;
  leaseBytes?: number;
}

/**
 * A worker pool that exists only while there is work: started by the first task, closed after
 * `idleMs` without any. A long-running service then holds no OCR engine or NLP model in memory
 * between jobs, and two workloads can share one memory budget over a day.
 */
export class OnDemandPool<Payload, Result> implements LeaseHolder {
  private pool: WorkerPool<Payload, Result> | undefined;
  private starting: Promise<WorkerPool<Payload, Result>> | undefined;
  /** A pool being closed for idleness: a new start waits for it, so the lease covers one pool at a time. */
  private retiring: Promise<void> | undefined;
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly idleMs: number;

  private readonly demand: OnDemandPoolOptions;

  /** `demand` may be just the idle timeout in milliseconds. */
  constructor(
    private readonly options: PoolOptions,
    demand: OnDemandPoolOptions | number = {},
  ) {
    this.demand = typeof demand === 'number' ? { idleMs: demand } : demand;
    this.idleMs = this.demand.idleMs ?? 60_000;
  }

  get name(): string {
    return this.options.name ?? 'pool';
  }

  /** The live pool, if one is running (for stats and metrics). */
  get current(): WorkerPool<Payload, Result> | undefined {
    return this.pool;
  }

  async run(payload: Payload, runOptions?: RunOptions): Promise<Result> {
    this.active++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    try {
      const pool = await this.acquire();
      return await pool.run(payload, runOptions);
    } finally {
      this.active--;
      if (this.active === 0 && !this.closed) {
        // Another pool waiting for memory gets it now; otherwise keep the workers warm a while.
        const idleMs = this.demand.arbiter?.hasWaiters ? 0 : this.idleMs;
        this.idleTimer = setTimeout(() => void this.retireIdle(), idleMs);
        this.idleTimer.unref();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // A start still waiting for memory must not wait on other pools any longer: it is refused.
    this.demand.arbiter?.withdraw(this, poolClosedError());
    const pool = this.pool ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.pool = undefined;
    await pool?.destroy();
    await this.retiring;
    this.demand.arbiter?.release(this);
  }

  /** For the arbiter: another pool needs the memory; give it up now if nothing is running. */
  async releaseIfIdle(): Promise<boolean> {
    if (this.active > 0 || this.starting) return false;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await this.retireIdle();
    return true;
  }

  private async acquire(): Promise<WorkerPool<Payload, Result>> {
    if (this.pool) return this.pool;
    this.starting ??= (async () => {
      try {
        await this.retiring;
        if (this.closed) throw poolClosedError();
        await this.demand.arbiter?.acquire(this, this.demand.leaseBytes ?? 0);
        if (this.closed) throw poolClosedError();
        const pool = new WorkerPool<Payload, Result>(this.options);
        try {
          await pool.start();
        } catch (error) {
          this.demand.arbiter?.release(this);
          throw error;
        }
        this.pool = pool;
        this.demand.onStart?.(pool as WorkerPool<unknown, unknown>);
        return pool;
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  private async retireIdle(): Promise<void> {
    if (this.active > 0 || !this.pool || this.retiring) return;
    const pool = this.pool;
    this.pool = undefined;
    this.retiring = (async () => {
      try {
        await pool.close();
      } finally {
        this.retiring = undefined;
        // A task that arrived meanwhile starts a new pool after this one is gone and leases again.
        this.demand.arbiter?.release(this);
      }
    })();
    await this.retiring;
  }
}
