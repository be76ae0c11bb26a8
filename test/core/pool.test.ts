import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerPool, type PoolOptions } from '../../src/core/pool/pool.js';
import { isProcessAlive, readTreeRss } from '../../src/core/memory/proc.js';
import type { TestResult, TestTask } from './fixtures/test-handler.js';

const MiB = 1024 ** 2;
const handlerModule = new URL('./fixtures/test-handler.js', import.meta.url);

async function withPool<T>(options: Partial<PoolOptions>, body: (pool: WorkerPool<TestTask, TestResult>) => Promise<T>): Promise<T> {
  const pool = new WorkerPool<TestTask, TestResult>({ handlerModule, size: 1, ...options });
  await pool.start();
  try {
    return await body(pool);
  } finally {
    await pool.destroy();
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('serves many tasks on persistent workers that load their handler once', async () => {
  await withPool({ size: 2 }, async (pool) => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.run({ op: 'echo', value: i })));
    assert.deepEqual(results.map((r) => r.value), Array.from({ length: 40 }, (_, i) => i));
    const pids = new Set(results.map((r) => r.pid));
    assert.ok(pids.size <= 2, `40 tasks ran on ${pids.size} processes, expected the 2 persistent workers`);
    assert.equal(pool.stats().spawned, 2);
  });
});

test('a worker SIGKILLed mid-task is replaced and its task is retried to completion', async () => {
  await withPool({ size: 1 }, async (pool) => {
    const victim = pool.pids()[0]!;
    const pending = pool.run({ op: 'sleep', ms: 1500, value: 'survived' });
    await waitFor(() => pool.stats().inFlight === 1, 2000, 'the task to start');
    await sleep(200);
    process.kill(victim, 'SIGKILL');
    const result = await pending;
    assert.equal(result.value, 'survived');
    assert.equal(result.attempt, 2);
    assert.notEqual(result.pid, victim);
    assert.equal(pool.stats().retried, 1);
    assert.equal(isProcessAlive(victim), false);
  });
});

test('a leaking handler is recycled and the tree RSS stays bounded over 600 tasks', async () => {
  const leakPerTask = 2 * MiB;
  const softRssBytes = 110 * MiB;
  await withPool({ size: 2, softRssBytes, hardRssBytes: 400 * MiB, maxQueue: 8 }, async (pool) => {
    const recycles: string[] = [];
    pool.on('recycle', (event) => recycles.push(event.reason));
    let peakWorkerRss = 0;
    let peakTreeRss = 0;
    const parentRss = () => readTreeRss(process.pid).processes.find((p) => p.pid === process.pid)!.rssBytes;
    const sampler = setInterval(() => {
      const tree = readTreeRss(process.pid);
      peakTreeRss = Math.max(peakTreeRss, tree.totalBytes - parentRss());
      for (const worker of pool.stats().workers) peakWorkerRss = Math.max(peakWorkerRss, worker.rssBytes);
    }, 50);
    try {
      const tasks: Array<Promise<TestResult>> = [];
      for (let i = 0; i < 600; i++) tasks.push(pool.run({ op: 'leak', bytes: leakPerTask }));
      await Promise.all(tasks);
    } finally {
      clearInterval(sampler);
    }
    // 600 tasks x 2 MB = 1.2 GB leaked in total: only recycling keeps the workers small.
    assert.ok(recycles.length >= 8, `expected many recycles, saw ${recycles.length}`);
    assert.match(recycles[0]!, /above soft limit/);
    assert.ok(peakWorkerRss < softRssBytes + 4 * leakPerTask + 30 * MiB, `a worker reached ${Math.round(peakWorkerRss / MiB)} MB`);
    // Workers' share of the tree: two workers, a prewarmed successor and one retiring worker at most.
    assert.ok(peakTreeRss < 4 * (softRssBytes + 4 * leakPerTask), `workers' tree RSS peaked at ${Math.round(peakTreeRss / MiB)} MB`);
    assert.equal(pool.stats().completed, 600);
  });
});

test('a worker over the hard RSS limit is killed mid-task and the task is retried', async () => {
  await withPool({ size: 1, softRssBytes: 100 * MiB, hardRssBytes: 160 * MiB }, async (pool) => {
    const kills: string[] = [];
    pool.on('kill', (event) => kills.push(event.reason));
    const result = await pool.run({ op: 'bloat-on-first-attempt', bytes: 260 * MiB, holdMs: 5000 });
    assert.equal(result.attempt, 2);
    assert.equal(kills.length, 1);
    assert.match(kills[0]!, /above hard limit/);
    assert.equal(pool.stats().kills, 1);
  });
});

test('a worker growing fast is stopped near its hard limit between the samples of /proc', async () => {
  // Full samples so rare that none comes during the task: only the guard's cheap re-reading (every
  // 50 ms) can stop the worker. It grows 4 MB every 10 ms, so each reading may find it up to ~20 MB
  // further on; without the guard it would run to its end, 300 MB past the limit, and answer at once.
  const hardRssBytes = 250 * MiB;
  await withPool({ size: 1, softRssBytes: 200 * MiB, hardRssBytes, sampleIntervalMs: 60_000, guardIntervalMs: 50 }, async (pool) => {
    const kills: { reason: string; rssBytes: number }[] = [];
    pool.on('kill', (event) => kills.push(event));
    const result = await pool.run({ op: 'grow-on-first-attempt', stepBytes: 4 * MiB, everyMs: 10, totalBytes: 300 * MiB, holdMs: 2000 });
    assert.equal(result.attempt, 2);
    assert.equal(kills.length, 1);
    assert.match(kills[0]!.reason, /above hard limit/);
    const overshootMb = (kills[0]!.rssBytes - hardRssBytes) / MiB;
    assert.ok(overshootMb < 60, `killed ${overshootMb.toFixed(0)} MB past the hard limit`);
  });
});

test('a worker silent past the task timeout is killed and the task retried', async () => {
  await withPool({ size: 1, taskTimeoutMs: 600 }, async (pool) => {
    const kills: string[] = [];
    pool.on('kill', (event) => kills.push(event.reason));
    const result = await pool.run({ op: 'hang-on-first-attempt' });
    assert.equal(result.attempt, 2);
    assert.match(kills[0]!, /silent for/);
  });
});

test('a poison task fails after maxAttempts while the other tasks complete', async () => {
  await withPool({ size: 2, maxAttempts: 3 }, async (pool) => {
    const poison = pool.run({ op: 'die' });
    const others = Array.from({ length: 30 }, (_, i) => pool.run({ op: 'sleep', ms: 5, value: i }));
    await assert.rejects(poison, (error: { code?: string; message?: string }) => {
      assert.equal(error.code, 'E_TASK_KILLED_WORKER');
      assert.match(error.message ?? '', /after 3 attempts/);
      return true;
    });
    const results = await Promise.all(others);
    assert.deepEqual(results.map((r) => r.value), Array.from({ length: 30 }, (_, i) => i));
    assert.equal(pool.stats().failed, 1);
  });
});

test('an error thrown by the handler is an answer: not retried, the worker keeps serving', async () => {
  await withPool({ size: 1 }, async (pool) => {
    const before = pool.pids()[0];
    await assert.rejects(pool.run({ op: 'throw', code: 'E_BAD_PAGE' }), { code: 'E_BAD_PAGE' });
    const after = await pool.run({ op: 'echo', value: 1 });
    assert.equal(after.pid, before);
    assert.equal(pool.stats().retried, 0);
  });
});

test('a task that cannot be serialised fails at once with E_TASK_UNSENDABLE; the worker and the pool carry on', async () => {
  await withPool({ size: 1, taskTimeoutMs: 400 }, async (pool) => {
    const worker = pool.pids()[0]!;
    // 200,000 nested arrays: more than the IPC serialiser's stack can walk.
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    await assert.rejects(pool.run({ op: 'echo', value: deep as number }), (error: { code?: string }) => error.code === 'E_TASK_UNSENDABLE');
    // The worker never got the task: it is not timed out and killed, and nothing is retried.
    await sleep(1000);
    const after = await pool.run({ op: 'echo', value: 7 });
    assert.equal(after.value, 7);
    assert.equal(after.pid, worker);
    assert.equal(pool.stats().kills, 0);
    assert.equal(pool.stats().retried, 0);
    assert.equal(pool.stats().failed, 1);
  });
});

test('workers are replaced after maxTasksPerWorker, with a prewarmed successor', async () => {
  await withPool({ size: 1, maxTasksPerWorker: 5, prewarm: true }, async (pool) => {
    const results: TestResult[] = [];
    for (let i = 0; i < 22; i++) results.push(await pool.run({ op: 'echo', value: i }));
    const perPid = new Map<number, number>();
    for (const r of results) perPid.set(r.pid, (perPid.get(r.pid) ?? 0) + 1);
    assert.ok([...perPid.values()].every((n) => n <= 5), 'no worker served more than 5 tasks');
    assert.equal(perPid.size, 5);
    assert.ok(pool.stats().recycles >= 4);
  });
});

test('a handler that cannot load makes start() fail with a clear error', async () => {
  const pool = new WorkerPool({ handlerModule, handlerOptions: { failInit: true }, size: 1 });
  await assert.rejects(pool.start(), (error: { code?: string; message?: string }) => {
    assert.equal(error.code, 'E_WORKER_INIT');
    assert.match(error.message ?? '', /refuses to start/);
    return true;
  });
});

test('a full queue rejects with E_QUEUE_FULL, or makes the caller wait', async () => {
  await withPool({ size: 1, maxQueue: 2, whenQueueFull: 'reject' }, async (pool) => {
    const running = pool.run({ op: 'sleep', ms: 300 });
    await waitFor(() => pool.stats().inFlight === 1, 2000, 'the first task to start');
    const queued = [pool.run({ op: 'echo', value: 1 }), pool.run({ op: 'echo', value: 2 })];
    await assert.rejects(pool.run({ op: 'echo', value: 3 }), { code: 'E_QUEUE_FULL' });
    await Promise.all([running, ...queued]);
  });
  await withPool({ size: 1, maxQueue: 1, whenQueueFull: 'wait' }, async (pool) => {
    const running = pool.run({ op: 'sleep', ms: 300 });
    await waitFor(() => pool.stats().inFlight === 1, 2000, 'the first task to start');
    const queued = pool.run({ op: 'echo', value: 1 });
    let waitingSettled = false;
    const waiting = pool.run({ op: 'echo', value: 2 }).then((r) => ((waitingSettled = true), r));
    await sleep(100);
    assert.equal(waitingSettled, false, 'the caller waits while the queue is full');
    assert.equal(pool.queueDepth, 1);
    const results = await Promise.all([running, queued, waiting]);
    assert.equal(results[2].value, 2);
  });
});

test('an aborted task is withdrawn and its promise rejects with E_ABORTED', async () => {
  await withPool({ size: 1 }, async (pool) => {
    const running = pool.run({ op: 'sleep', ms: 300 });
    const controller = new AbortController();
    const queued = pool.run({ op: 'echo', value: 'never' }, { signal: controller.signal });
    controller.abort();
    await assert.rejects(queued, { code: 'E_ABORTED' });
    await running;
    assert.equal(pool.stats().completed, 1);
  });
});

test('many tasks may share one abort signal without a listener-leak warning', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    await withPool({ size: 1, maxQueue: 64 }, async (pool) => {
      const controller = new AbortController();
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => pool.run({ op: 'echo', value: i }, { signal: controller.signal })));
      assert.equal(results.length, 30);
    });
    await sleep(10); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
});

test('killing the parent with SIGKILL leaves no worker alive', async () => {
  const parentScript = new URL('./fixtures/pool-parent.js', import.meta.url);
  // The workers write to the parent's stderr, which is this pipe: it outlives the parent.
  const parent = spawn(process.execPath, [parentScript.pathname], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  parent.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  const { workers } = JSON.parse(line.toString('utf8')) as { workers: number[] };
  assert.equal(workers.length, 2);
  assert.ok(workers.every(isProcessAlive));
  parent.kill('SIGKILL');
  await once(parent, 'exit');
  const killedAt = Date.now();
  await waitFor(() => !workers.some(isProcessAlive), 3000, 'orphaned workers to exit');
  assert.ok(Date.now() - killedAt < 2000, 'workers exit within two seconds of their parent');
  await sleep(200); // the last of the workers' output
  assert.equal(stderr, '', 'the workers leave without a word (no EPIPE, no stack trace)');
});

test('a worker that replies after its parent was SIGKILLed leaves quietly (EPIPE on the reply)', async () => {
  const parentScript = new URL('./fixtures/pool-parent.js', import.meta.url);
  // The worker spins for 1.5 s without yielding, so it learns that its parent is gone only when its
  // reply fails to write; that failure must end it without an uncaught EPIPE on stderr.
  const parent = spawn(process.execPath, [parentScript.pathname, 'busy', '1500'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  parent.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  const { workers } = JSON.parse(line.toString('utf8')) as { workers: number[] };
  assert.equal(workers.length, 1);
  await sleep(300); // the task has reached the worker
  parent.kill('SIGKILL');
  await once(parent, 'exit');
  await waitFor(() => !workers.some(isProcessAlive), 5000, 'the orphaned worker to exit');
  await sleep(200);
  assert.equal(stderr, '', 'the worker leaves without a word');
});

test('a worker killed while it starts is replaced: start() still succeeds', async () => {
  const pool = new WorkerPool<TestTask, TestResult>({ handlerModule, size: 2, prewarm: false });
  let killed = 0;
  pool.on('spawn', ({ pid }) => {
    if (killed === 0) {
      killed++;
      process.kill(pid, 'SIGKILL');
    }
  });
  await pool.start();
  try {
    assert.equal(killed, 1);
    assert.equal(pool.stats().spawned, 3, 'two workers plus the replacement of the one killed');
    const results = await Promise.all([pool.run({ op: 'echo', value: 1 }), pool.run({ op: 'echo', value: 2 })]);
    assert.deepEqual(results.map((r) => r.value), [1, 2]);
  } finally {
    await pool.destroy();
  }
});
