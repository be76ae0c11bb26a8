import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../../src/core/memory/proc.js';
import { OnDemandPool } from '../../src/core/pool/on-demand-pool.js';
import type { TestResult, TestTask } from './fixtures/test-handler.js';

test('an on-demand pool starts with the first task and releases its workers when idle', async () => {
  const pool = new OnDemandPool<TestTask, TestResult>({ handlerModule: new URL('./fixtures/test-handler.js', import.meta.url), size: 1 }, 300);
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
  const { MemoryArbiter } = await import('../../src/core/memory/arbiter.js');
  const arbiter = new MemoryArbiter(100);
  const options = { handlerModule: new URL('./fixtures/test-handler.js', import.meta.url), size: 1 };
  const first = new OnDemandPool<TestTask, TestResult>(options, { idleMs: 60_000, arbiter, leaseBytes: 80 });
  const second = new OnDemandPool<TestTask, TestResult>(options, { idleMs: 60_000, arbiter, leaseBytes: 80 });
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
