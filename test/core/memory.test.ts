import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { planPoolMemory, resolveMemoryBudget } from '../../src/core/memory/budget.js';
import { MemoryMonitor } from '../../src/core/memory/monitor.js';
import { listDescendants, readProcText, readRssBytes, readTreeRss, TreeFinder } from '../../src/core/memory/proc.js';
import { parseByteSize } from '../../src/core/memory/size.js';
import { createLogger } from '../../src/core/log.js';

const MiB = 1024 ** 2;

test('sizes are read in binary units and nonsense is refused with a clear code', () => {
  assert.equal(parseByteSize('512MB'), 512 * MiB);
  assert.equal(parseByteSize('1.5g'), 1.5 * 1024 * MiB);
  assert.equal(parseByteSize('2048'), 2048);
  assert.throws(() => parseByteSize('lots'), { code: 'E_BAD_OPTION' });
});

test('/proc files are read whole through the shared buffer, however long, and a gone process reads as undefined', () => {
  const stat = readProcText(`/proc/${process.pid}/stat`);
  assert.ok(stat?.startsWith(`${process.pid} (`), stat);
  assert.match(readProcText('/proc/self/status') ?? '', /^Name:\s+\S+[\s\S]*\nVmRSS:\s+\d+ kB/);
  // Longer than the buffer (8 KB), read after a short file: the whole text, not the tail of the last read.
  const dir = mkdtempSync(join(tmpdir(), 'keel-proc-'));
  try {
    const long = join(dir, 'long.txt');
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}`).join('\n');
    writeFileSync(long, text, 'latin1');
    assert.ok(text.length > 3 * 8192);
    assert.equal(readProcText(long), readFileSync(long, 'latin1'));
    // And a short file after it: only its own text, none of the long one left in the buffer.
    const short = join(dir, 'short.txt');
    writeFileSync(short, 'Name:\tkeel\n');
    assert.equal(readProcText(short), 'Name:\tkeel\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(readProcText('/proc/999999999/status'), undefined);
  assert.equal(readRssBytes(999_999_999), undefined);
});

test('the tree RSS includes a child process and its memory', async () => {
  // A real child that holds 80 MB resident.
  const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(80 * 1024 * 1024, 1); console.log("ready"); setInterval(() => b[0]++, 1000)'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout!, 'data');
  try {
    const tree = readTreeRss(process.pid);
    const childInfo = tree.processes.find((p) => p.pid === child.pid);
    assert.ok(childInfo, 'the child is part of the tree');
    assert.ok(childInfo.rssBytes > 80 * MiB, `child RSS ${childInfo.rssBytes}`);
    assert.equal(tree.totalBytes, tree.processes.reduce((sum, p) => sum + p.rssBytes, 0));
    assert.ok(tree.totalBytes >= readRssBytes(process.pid)! + 80 * MiB);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a tree walk finds grandchildren, including one started from a worker thread, by either method', async () => {
  // A child forked by a node worker thread is listed under that thread, not under the main thread: a walk
  // that read only /proc/<pid>/task/<pid>/children would miss it.
  const script = `
    const { spawn } = require('node:child_process');
    const { Worker } = require('node:worker_threads');
    const fromMain = spawn('sleep', ['30']);
    const worker = new Worker("const { spawn } = require('node:child_process'); const { parentPort } = require('node:worker_threads'); parentPort.postMessage(spawn('sleep', ['30']).pid); setInterval(() => {}, 1000);", { eval: true });
    worker.once('message', (fromThread) => console.log(JSON.stringify({ fromMain: fromMain.pid, fromThread })));
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { fromMain, fromThread } = JSON.parse(line.toString()) as { fromMain: number; fromThread: number };
  try {
    const expected = [child.pid!, fromMain, fromThread].sort((a, b) => a - b);
    for (const walk of ['children', 'scan'] as const) {
      if (walk === 'children' && readProcText(`/proc/${process.pid}/task/${process.pid}/children`) === undefined) continue;
      const found = listDescendants(child.pid!, new TreeFinder(walk));
      assert.equal(found[0], child.pid, `${walk}: root first`);
      assert.deepEqual([...found].sort((a, b) => a - b), expected, `${walk} walk`);
      const tree = readTreeRss(child.pid!, new TreeFinder(walk));
      const sleeper = tree.processes.find((p) => p.pid === fromThread);
      assert.deepEqual({ name: sleeper?.name, ppid: sleeper?.ppid }, { name: 'sleep', ppid: child.pid }, `${walk}: the thread's child`);
      assert.equal(tree.processes.find((p) => p.pid === child.pid)?.name, 'node');
    }
    // The test process's own tree holds the child and both grandchildren too.
    const own = listDescendants(process.pid);
    for (const pid of expected) assert.ok(own.includes(pid), `${pid} in this process's tree`);
  } finally {
    // Children first: killing the node child alone would leave the sleeps to init.
    for (const pid of [fromMain, fromThread, child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

test('the budget comes from the option first, then the environment, then a default', () => {
  assert.deepEqual(
    { bytes: resolveMemoryBudget('1GB').bytes, source: resolveMemoryBudget('1GB').source },
    { bytes: 1024 * MiB, source: 'option' },
  );
  const saved = process.env.KEEL_MEMORY_BUDGET;
  process.env.KEEL_MEMORY_BUDGET = '768MB';
  try {
    assert.equal(resolveMemoryBudget().bytes, 768 * MiB);
    assert.equal(resolveMemoryBudget().source, 'env');
  } finally {
    if (saved === undefined) delete process.env.KEEL_MEMORY_BUDGET;
    else process.env.KEEL_MEMORY_BUDGET = saved;
  }
});

test('a memory budget decides the worker count and each worker limit', () => {
  const footprint = { steadyBytes: 120 * MiB, taskPeakBytes: 60 * MiB };
  const small = planPoolMemory(420 * MiB, footprint, { maxWorkers: 4 });
  const middle = planPoolMemory(512 * MiB, footprint, { maxWorkers: 4 });
  const large = planPoolMemory(4096 * MiB, footprint, { maxWorkers: 4 });
  assert.equal(small.workers, 1);
  assert.equal(small.prewarm, true, 'one worker and its prewarmed successor fit 420 MB');
  // 512 MB holds two workers (2 x 180 MB) but not two and a standby: the second worker wins.
  assert.equal(middle.workers, 2);
  assert.equal(middle.prewarm, false);
  assert.equal(large.workers, 4);
  assert.equal(large.prewarm, true);
  for (const plan of [small, middle, large]) {
    assert.ok(plan.softRssBytes < plan.hardRssBytes);
    const worst = plan.parentReserveBytes + plan.workers * plan.hardRssBytes + (plan.prewarm ? footprint.steadyBytes : 0);
    assert.ok(worst <= (plan === small ? 420 : plan === middle ? 512 : 4096) * MiB, 'workers at their hard limit still fit the budget');
  }
  assert.ok(large.hardRssBytes > small.hardRssBytes);
});

test('a worker that can pass its hard limit between readings has its limit planned that far lower', () => {
  const footprint = { steadyBytes: 200 * MiB, taskPeakBytes: 140 * MiB };
  const plain = planPoolMemory(512 * MiB, footprint, { parentReserveBytes: 144 * MiB, maxWorkers: 2 });
  const guarded = planPoolMemory(512 * MiB, { ...footprint, overshootBytes: 8 * MiB }, { parentReserveBytes: 144 * MiB, maxWorkers: 2 });
  assert.equal(plain.hardRssBytes, 368 * MiB);
  assert.equal(guarded.hardRssBytes, 360 * MiB);
  assert.equal(guarded.softRssBytes, 220 * MiB, 'a worker at the soft limit can still run one peak task under the hard limit');
  // The overshoot is part of the worst case: the server plus the workers past their limits still fit.
  assert.equal(guarded.worstCaseBytes, 368 * MiB);
  assert.ok(guarded.parentReserveBytes + guarded.worstCaseBytes <= 512 * MiB);
  // It is never taken out of what one task needs: a budget too small for it keeps the task's need.
  const tight = planPoolMemory(480 * MiB, { ...footprint, overshootBytes: 8 * MiB }, { parentReserveBytes: 144 * MiB });
  assert.equal(tight.hardRssBytes, 340 * MiB);
});

test('the monitor logs memory at boundaries with the change since the last one', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const monitor = new MemoryMonitor({ budget: resolveMemoryBudget('512MB'), intervalMs: 20, logger: createLogger({ format: 'text', destination: sink }) });
  monitor.start();
  monitor.boundary('chunk 1');
  const held = Buffer.alloc(64 * MiB, 1);
  const { changeBytes } = monitor.boundary('chunk 2');
  assert.ok(changeBytes > 50 * MiB, `change ${changeBytes}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  monitor.stop();
  held[0] = 2;
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(lines.join(''), /memory after chunk 1: \d+ MB \(change \+0 MB\)/);
  assert.match(lines.join(''), /memory after chunk 2: \d+ MB \(change \+(6\d|7\d) MB\)/);
  const snapshot = monitor.snapshot();
  assert.ok(snapshot.peakTreeRssBytes >= snapshot.treeRssBytes);
  assert.equal(snapshot.budget.bytes, 512 * MiB);
  assert.ok(snapshot.parent.heapUsedBytes > 0 && snapshot.parent.arrayBuffersBytes >= 64 * MiB);
  assert.ok(monitor.history().length >= 2, 'samples kept for charts');
});
