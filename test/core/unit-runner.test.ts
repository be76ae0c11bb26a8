import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runUnits, type ChunkInfo, type Settled } from '../../src/core/unit-runner.js';

const units = Array.from({ length: 23 }, (_, i) => i);

test('delivers results in unit order with bounded concurrency, reporting each chunk', async () => {
  let running = 0;
  let maxRunning = 0;
  const delivered: number[] = [];
  const chunks: ChunkInfo[] = [];
  const summary = await runUnits({
    units,
    chunkSize: 5,
    concurrency: 3,
    async execute(unit) {
      running++;
      maxRunning = Math.max(maxRunning, running);
      // Later units finish first: ordering must come from the runner.
      await sleep(((unit * 7) % 5) * 3);
      running--;
      return unit * 10;
    },
    onResult(unit, result) {
      assert.deepEqual(result, { ok: true, value: unit * 10 });
      delivered.push(unit);
    },
    onChunk(info) {
      chunks.push(info);
    },
  });
  assert.deepEqual(delivered, units);
  assert.equal(maxRunning, 3);
  assert.equal(summary.delivered, 23);
  assert.deepEqual(chunks.map((c) => [c.chunk, c.chunks, c.first, c.last]), [
    [1, 5, 0, 4],
    [2, 5, 5, 9],
    [3, 5, 10, 14],
    [4, 5, 15, 19],
    [5, 5, 20, 22],
  ]);
});

test('a failing unit is delivered as an error and the run goes on', async () => {
  const outcomes: Array<Settled<number>> = [];
  await runUnits({
    units: [1, 2, 3],
    chunkSize: 10,
    concurrency: 2,
    async execute(unit) {
      if (unit === 2) throw new Error('bad page');
      return unit;
    },
    onResult(_unit, result) {
      outcomes.push(result);
    },
  });
  assert.equal(outcomes.length, 3);
  assert.equal(outcomes[1]!.ok, false);
  assert.deepEqual(outcomes[2], { ok: true, value: 3 });
});

test('shouldStop ends the run early and abandons the units in flight', async () => {
  const started: number[] = [];
  let abandoned = 0;
  const summary = await runUnits({
    units,
    chunkSize: 4,
    concurrency: 2,
    execute(unit, signal) {
      started.push(unit);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => resolve(unit), 5);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          abandoned++;
          reject(new Error('abandoned'));
        });
      });
    },
    onResult() {},
    shouldStop: () => started.length >= 6,
  });
  assert.equal(summary.stoppedEarly, true);
  assert.ok(summary.delivered < units.length);
  assert.ok(started.length <= 8, `started ${started.length} units after the stop`);
  assert.ok(abandoned >= 1);
});

test('an outer abort signal stops the run', async () => {
  const controller = new AbortController();
  const summary = await runUnits({
    units,
    chunkSize: 4,
    concurrency: 1,
    async execute(unit) {
      if (unit === 3) controller.abort();
      return unit;
    },
    onResult() {},
    signal: controller.signal,
  });
  assert.equal(summary.aborted, true);
  assert.ok(summary.delivered <= 4);
});
