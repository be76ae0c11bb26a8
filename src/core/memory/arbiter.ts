/**
 * Shares one memory budget between worker pools that do not all need to exist at once (the deed
 * pool and the email pool of one server). A pool leases its planned worst case before it starts and
 * returns it when it closes. When a lease cannot be granted, idle holders are asked to close now
 * rather than after their idle timeout; busy holders are waited for. So two workloads take turns on
 * a 512 MB machine and run side by side on a bigger one, and the sum never exceeds the budget.
 */

export interface LeaseHolder {
  /** Close now if idle (no task running or queued), releasing the lease; return whether it did. */
  releaseIfIdle(): Promise<boolean>;
}

interface Waiter {
  bytes: number;
  holder: LeaseHolder;
  grant(): void;
  refuse(reason: Error): void;
}

export class MemoryArbiter {
  private readonly leases = new Map<LeaseHolder, number>();
  private readonly waiting: Waiter[] = [];

  constructor(readonly capacityBytes: number) {}

  get leasedBytes(): number {
    let total = 0;
    for (const bytes of this.leases.values()) total += bytes;
    return total;
  }

  /** Resolves when `bytes` are leased to `holder`. A request larger than the capacity is granted alone. */
  async acquire(holder: LeaseHolder, bytes: number): Promise<void> {
    if (this.leases.has(holder)) return;
    if (this.fits(bytes)) {
      this.leases.set(holder, bytes);
      return;
    }
    const granted = new Promise<void>((resolve, reject) => this.waiting.push({ bytes, holder, grant: resolve, refuse: reject }));
    for (const other of [...this.leases.keys()]) void other.releaseIfIdle();
    await granted;
  }

  /** True while some pool waits for memory: holders then release as soon as they are idle. */
  get hasWaiters(): boolean {
    return this.waiting.length > 0;
  }

  /** Gives up `holder`'s pending request (it is closing): its acquire() rejects with `reason`. */
  withdraw(holder: LeaseHolder, reason: Error): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const waiter = this.waiting[i]!;
      if (waiter.holder !== holder) continue;
      this.waiting.splice(i, 1);
      waiter.refuse(reason);
    }
  }

  release(holder: LeaseHolder): void {
    if (!this.leases.delete(holder)) return;
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.leases.set(next.holder, next.bytes);
      next.grant();
    }
  }

  private fits(bytes: number): boolean {
    // Nothing leased: grant even an oversized request, or it could never run at all.
    return this.leases.size === 0 || this.leasedBytes + bytes <= this.capacityBytes;
  }
}
