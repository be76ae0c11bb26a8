import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import { HeapCollector, oldGenerationBytes } from '../../src/core/memory/heap-collector.js';
import { gc } from '../helpers/heap.js';

const MiB = 1024 ** 2;

/**
 * Garbage only a full collection frees: arrays of 100,000 elements are large objects, which V8 places in
 * the old generation at once. Nothing is allocated between this and the caller's next heap reading, so
 * V8 cannot collect it on its own meanwhile.
 */
function makeOldGarbage(megabytes: number): void {
  let held: number[][] | null = [];
  for (let i = 0; i < megabytes * 2.5; i++) held.push(new Array<number>(100_000).fill(i));
  held = null;
}

test('the heap collector leaves a heap that has not grown alone, and collects one that has grown past its slack', () => {
  gc();
  const collector = new HeapCollector({ collect: gc, slackBytes: 4 * MiB });
  assert.equal(collector.collectIfGrown(), false, 'nothing has piled up yet');
  assert.equal(collector.stats().collections, 0);

  makeOldGarbage(24);
  const grown = getHeapStatistics().used_heap_size;
  assert.ok(grown - collector.stats().liveBytes > 16 * MiB, `the garbage is in the heap: ${((grown - collector.stats().liveBytes) / MiB).toFixed(1)} MB above live`);
  assert.equal(collector.collectIfGrown(), true);
  const after = getHeapStatistics().used_heap_size;
  assert.ok(after < grown - 16 * MiB, `collected: ${(grown / MiB).toFixed(1)} -> ${(after / MiB).toFixed(1)} MB`);
  assert.equal(collector.stats().collections, 1);
  assert.ok(Math.abs(collector.stats().liveBytes - oldGenerationBytes()) < MiB, 'what is live is measured after the collection');
  assert.equal(collector.collectIfGrown(), false, 'right after a collection there is nothing to collect');
});

test('started, the heap collector collects on its own timer, and stops when told', async () => {
  gc();
  // The arrays stay reachable until the collector's own call drops them: otherwise V8 may free them by itself
  // before the timer fires, and the collector rightly finds nothing to do.
  let held: number[][] | null = [];
  const collector = new HeapCollector({
    collect: () => {
      held = null;
      gc();
    },
    slackBytes: 2 * MiB,
    intervalMs: 20,
  }).start();
  try {
    for (let i = 0; i < 16 * 2.5; i++) held!.push(new Array<number>(100_000).fill(i));
    const grown = getHeapStatistics().used_heap_size;
    for (let waited = 0; collector.stats().collections === 0 && waited < 2000; waited += 20) await sleep(20);
    assert.ok(collector.stats().collections >= 1, 'a collection ran on the timer');
    assert.ok(getHeapStatistics().used_heap_size < grown - 10 * MiB, 'and the garbage is gone');
  } finally {
    collector.stop();
  }
  const collections = collector.stats().collections;
  makeOldGarbage(16);
  await sleep(100);
  assert.equal(collector.stats().collections, collections, 'no collection after stop()');
});

test('without a gc to call (node started without --expose-gc) the collector is inactive and harmless', () => {
  const hidden = (globalThis as { gc?: unknown }).gc;
  assert.equal(hidden, undefined, 'the test process itself has no global gc');
  const collector = new HeapCollector({ slackBytes: 0 }).start();
  makeOldGarbage(8);
  assert.equal(collector.collectIfGrown(), false);
  assert.deepEqual({ active: collector.stats().active, collections: collector.stats().collections }, { active: false, collections: 0 });
  collector.stop();
});
