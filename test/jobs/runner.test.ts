import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/core/log.js';
import { JobRunner, type JobContext, type JobExecutor } from '../../src/jobs/runner.js';
import type { JobRecord, JobStore } from '../../src/jobs/store.js';
import { withStore } from '../helpers/temp-store.js';

/** A real executor: counts through `units` units, one every `delayMs`, skipping stored ones. */
function countingExecutor(kind: string, units: number, delayMs: number | ((unit: number) => number)): JobExecutor & { runs: number } {
  const executor = {
    kind,
    runs: 0,
    async run(context: JobContext) {
      executor.runs++;
      context.setTotal(units);
      for (let unit = 0; unit < units; unit++) {
        if (context.alreadyStored.has(unit)) continue;
        await sleep(typeof delayMs === 'number' ? delayMs : delayMs(unit));
        if (context.signal.aborted) throw context.signal.reason;
        context.recordUnit(unit, true, { unit });
      }
      return { units };
    },
  };
  return executor;
}

async function until(store: JobStore, id: string, predicate: (job: JobRecord) => boolean, timeoutMs = 5000): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = store.getJob(id)!;
    if (predicate(job)) return job;
    if (Date.now() > deadline) throw new Error(`job stuck in ${job.status} with ${job.unitsDone} units`);
    await sleep(20);
  }
}

test('runs a queued job to done with its summary', withStore(async (store) => {
  const runner = new JobRunner({ store, executors: [countingExecutor('count', 5, 5)], logger: silentLogger(), pollMs: 50 });
  const job = store.createJob({ owner: 'o', kind: 'count', options: {} });
  const updates: number[] = [];
  runner.on('update', (j) => updates.push(j.unitsDone));
  runner.start();
  const done = await until(store, job.id, (j) => j.status === 'done');
  await runner.stop();
  assert.equal(done.unitsDone, 5);
  assert.deepEqual(done.summary, { units: 5 });
  assert.ok(updates.includes(3), 'progress is published unit by unit');
}));

test('a stopped runner requeues its job and the next runner does only the missing units', withStore(async (store) => {
  const first = countingExecutor('count', 10, 30);
  const runner = new JobRunner({ store, executors: [first], logger: silentLogger(), pollMs: 50 });
  const job = store.createJob({ owner: 'o', kind: 'count', options: {} });
  runner.start();
  await until(store, job.id, (j) => j.unitsDone >= 4);
  await runner.stop();
  const interrupted = store.getJob(job.id)!;
  assert.equal(interrupted.status, 'queued');
  const second = countingExecutor('count', 10, 1);
  const next = new JobRunner({ store, executors: [second], logger: silentLogger(), pollMs: 50 });
  next.start();
  const done = await until(store, job.id, (j) => j.status === 'done');
  await next.stop();
  assert.equal(done.unitsDone, 10, 'every unit exactly once');
  assert.equal(done.resumes, 1);
  assert.deepEqual([...store.iterateUnits(job.id)].map((u) => u.unit), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
}));

test('cancel stops a running job and marks it cancelled', withStore(async (store) => {
  const runner = new JobRunner({ store, executors: [countingExecutor('count', 100, 20)], logger: silentLogger(), pollMs: 50 });
  const job = store.createJob({ owner: 'o', kind: 'count', options: {} });
  runner.start();
  await until(store, job.id, (j) => j.unitsDone >= 2);
  assert.equal(runner.cancel(job.id), true);
  const cancelled = await until(store, job.id, (j) => j.status === 'cancelled');
  await sleep(100);
  await runner.stop();
  assert.ok(store.getJob(job.id)!.unitsDone < 100);
  assert.equal(cancelled.errorCode, 'E_CANCELLED');
}));

test('a job that stops making progress fails with E_STALLED; a slow but steady one does not', withStore(async (store) => {
  // Unit 3 takes far longer than the stall timeout; the other job's units each take 60% of it.
  const runner = new JobRunner({
    store,
    executors: [countingExecutor('stuck', 5, (unit) => (unit === 3 ? 1500 : 5)), countingExecutor('steady', 8, 120)],
    logger: silentLogger(),
    pollMs: 50,
    stallTimeoutMs: 200,
  });
  const stuck = store.createJob({ owner: 'o', kind: 'stuck', options: {} });
  const steady = store.createJob({ owner: 'o', kind: 'steady', options: {} });
  runner.start();
  const failed = await until(store, stuck.id, (j) => j.status === 'failed');
  assert.equal(failed.errorCode, 'E_STALLED');
  assert.match(failed.errorMessage ?? '', /no progress/);
  const done = await until(store, steady.id, (j) => j.status === 'done');
  assert.equal(done.unitsDone, 8);
  await runner.stop();
}));

test('an executor error fails the job with its code', withStore(async (store) => {
  const failing: JobExecutor = {
    kind: 'bad',
    async run() {
      const error = Object.assign(new Error('this is not a PDF'), { name: 'KeelError', code: 'E_NOT_PDF' });
      throw error;
    },
  };
  const runner = new JobRunner({ store, executors: [failing], logger: silentLogger(), pollMs: 50 });
  const job = store.createJob({ owner: 'o', kind: 'bad', options: {} });
  runner.start();
  const failed = await until(store, job.id, (j) => j.status === 'failed');
  await runner.stop();
  assert.equal(failed.errorCode, 'E_NOT_PDF');
  assert.equal(failed.errorMessage, 'this is not a PDF');
}));
