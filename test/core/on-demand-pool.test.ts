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
