import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryArbiter } from '../../src/core/memory/arbiter.js';
import { isProcessAlive } from '../../src/core/memory/proc.js';
import { OnDemandPool } from '../../src/core/pool/on-demand-pool.js';
import type { TestResult, TestTask } from './fixtures/test-handler.js';

const handlerOptions = { handlerModule: new URL('./fixtures/test-handler.js', import.meta.url), size: 1 };

/** A 100-byte budget where every pool leases 80: two pools can never hold it at once. */
function sharedBudget(): { arbiter: MemoryArbiter; pool: (idleMs: number) => OnDemandPool<TestTask, TestResult> } {
  const arbiter = new MemoryArbiter(100);
  return { arbiter, pool: (idleMs) => new OnDemandPool<TestTask, TestResult>(handlerOptions, { idleMs, arbiter, leaseBytes: 80 }) };
}

test('an on-demand pool starts with the first task and releases its workers when idle', async () => {
  const pool = new OnDemandPool<TestTask, TestResult>(handlerOptions, 300);
  assert.equal(pool.current, undefined, 'no worker before there is work');
  const [a, b] = await Promise.all([pool.run({ op: 'echo', value: 1 }), pool.run({ op: 'echo', value: 2 })]);
  assert.equal(a.pid, b.pid, 'concurrent first tasks share one started pool');
  assert.ok(pool.current);
  await sleep(700);
  assert.equal(pool.current, undefined, 'the pool was closed after being idle');
  await sleep(100);
  assert.equal(isProcessAlive(a.pid), false, 'its worker process is gone');
  const c = await pool.run({ op: 'echo', value: 3 });
  assert.notEqual(c.pid, a.pid, 'a new task starts a fresh pool');
  await pool.close();
  await sleep(100);
  assert.equal(isProcessAlive(c.pid), false);
});

test('two on-demand pools share a memory budget: the second waits until the first is idle and closes', async () => {
  const { arbiter, pool: poolWithin } = sharedBudget();
  const first = poolWithin(60_000);
  const second = poolWithin(60_000);
  const busy = first.run({ op: 'sleep', ms: 400, value: 'first' });
  await sleep(100);
  const startedAt = Date.now();
  const waited = second.run({ op: 'echo', value: 'second' });
  assert.equal((await busy).value, 'first');
  const result = await waited;
  assert.equal(result.value, 'second');
  assert.ok(Date.now() - startedAt >= 250, 'the second pool waited for the first task to finish');
  assert.equal(first.current, undefined, 'the idle first pool was closed at once, not after its 60 s idle timeout');
  assert.equal(arbiter.leasedBytes, 80);
  await Promise.all([first.close(), second.close()]);
  assert.equal(arbiter.leasedBytes, 0);
});

test('closing a pool whose start waits for memory does not wait for the pool holding it', async () => {
  const { arbiter, pool: poolWithin } = sharedBudget();
  const holder = poolWithin(60_000);
  const waiter = poolWithin(60_000);
  const busy = holder.run({ op: 'sleep', ms: 3000, value: 'holder' });
  await sleep(200);
  const refused = waiter.run({ op: 'echo', value: 'never' });
  const closedAt = Date.now();
  await waiter.close();
  assert.ok(Date.now() - closedAt < 1000, 'close returned without waiting for the other pool');
  await assert.rejects(refused, (error: Error & { code?: string }) => error.code === 'E_POOL_CLOSED');
  assert.equal(waiter.current, undefined, 'no pool was started for it');
  assert.equal((await busy).value, 'holder');
  assert.equal(arbiter.leasedBytes, 80, 'only the holder leases memory');
  await holder.close();
  assert.equal(arbiter.leasedBytes, 0);
});

test('a task arriving while an idle pool is closing starts a new pool that keeps a lease', async () => {
  const { arbiter, pool: poolWithin } = sharedBudget();
  const pool = poolWithin(0);
  const first = await pool.run({ op: 'echo', value: 1 });
  // The idle timer (0 ms) fires and the pool begins closing; a new task arrives during the close.
  await sleep(5);
  const second = await pool.run({ op: 'echo', value: 2 });
  assert.notEqual(second.pid, first.pid, 'the second task ran on a fresh pool');
  assert.equal(arbiter.leasedBytes, 80, 'the fresh pool holds its own lease, not one released under it');
  await pool.close();
  assert.equal(arbiter.leasedBytes, 0);
});
