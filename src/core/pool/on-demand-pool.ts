import { WorkerPool, type PoolOptions, type RunOptions } from './pool.js';

/**
 * A worker pool that exists only while there is work: started by the first task, closed after
 * `idleMs` without any. A long-running service then holds no OCR engine or NLP model in memory
 * between jobs, and two workloads can share one memory budget over a day.
 */
export class OnDemandPool<Payload, Result> {
  private pool: WorkerPool<Payload, Result> | undefined;
  private starting: Promise<WorkerPool<Payload, Result>> | undefined;
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: PoolOptions,
    private readonly idleMs = 60_000,
    private readonly onStart?: (pool: WorkerPool<Payload, Result>) => void,
  ) {}

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
        this.idleTimer = setTimeout(() => void this.retireIdle(), this.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const pool = this.pool ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.pool = undefined;
    await pool?.destroy();
  }

  private async acquire(): Promise<WorkerPool<Payload, Result>> {
    if (this.pool) return this.pool;
    this.starting ??= (async () => {
      const pool = new WorkerPool<Payload, Result>(this.options);
      try {
        await pool.start();
      } finally {
        this.starting = undefined;
      }
      this.pool = pool;
      this.onStart?.(pool);
      return pool;
    })();
    return this.starting;
  }

  private async retireIdle(): Promise<void> {
    if (this.active > 0 || !this.pool) return;
    const pool = this.pool;
    this.pool = undefined;
    await pool.close();
  }
}
