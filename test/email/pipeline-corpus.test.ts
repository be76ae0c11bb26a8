import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTreeRss } from '../../src/core/memory/proc.js';
import { WorkerPool } from '../../src/core/pool/pool.js';
import { PoolEmailRunner } from '../../src/email/batch-runner.js';
import type { EmailBatch } from '../../src/email/batch.js';
import { nlpLoaded } from '../../src/email/nlp.js';
import { planEmailPool } from '../../src/email/pipeline-options.js';
import { analyzeUnits, messageUnits } from '../../src/email/pipeline.js';
import type { AnalysisResult } from '../../src/email/types.js';
import { requireShared } from '../helpers/shared.js';
import { assertWellFormed } from './helpers.js';

const MiB = 1024 ** 2;

/** Message files under a folder, counted independently of the source reader (everything but README.md). */
function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) n += countFiles(join(dir, entry.name));
    else if (entry.isFile() && entry.name !== 'README.md') n++;
  }
  return n;
}

test('the whole real corpus through recycled pool workers: every message accounted for, in order, the parent flat', { timeout: 10 * 60_000 }, async (t) => {
  const root = requireShared(t, 'emails');
  if (!root) return;
  const expected = countFiles(root);
  // The 1 GB plan (two workers), each recycled after 25 batches (1,600 messages) so the run crosses
  // several recycles with nothing lost.
  const plan = planEmailPool(1024 * MiB);
  const pool = new WorkerPool<EmailBatch, AnalysisResult[]>({ ...plan.poolOptions, maxTasksPerWorker: 25 });
  await pool.start();
  const errors = new Map<string, number>();
  const seen = new Set<string>();
  let ok = 0;
  let next = 0;
  let peakParentRss = 0;
  try {
    await analyzeUnits({
      units: messageUnits(root),
      runner: new PoolEmailRunner(pool),
      batchSize: plan.batchSize,
      concurrency: plan.concurrency,
      onResult(result, unit) {
        assert.equal(unit.position, next++, 'results arrive in input order');
        assert.equal(result.id, unit.item.id);
        assert.ok(!seen.has(result.id), `duplicate id ${result.id}`);
        seen.add(result.id);
        if (result.ok) {
          ok++;
          assertWellFormed(result);
        } else {
          assert.match(result.code, /^E_[A-Z_]+$/, `${result.id}: uncoded failure`);
          assert.ok(result.message.length > 0);
          errors.set(result.code, (errors.get(result.code) ?? 0) + 1);
        }
        if (next % 1000 === 0) peakParentRss = Math.max(peakParentRss, readTreeRss(process.pid).processes.find((p) => p.pid === process.pid)!.rssBytes);
      },
    });
  } finally {
    await pool.destroy();
  }
  const stats = pool.stats();
  assert.equal(seen.size, expected, 'every file in the corpus yields exactly one result');
  assert.ok(ok / expected > 0.99, `only ${ok} of ${expected} analysed; errors ${JSON.stringify(Object.fromEntries(errors))}`);
  assert.equal(nlpLoaded(), false, 'the analysis ran in the workers, never in this process');
  assert.ok(stats.recycles >= 3, `workers were recycled during the run (${stats.recycles})`);
  assert.ok(peakParentRss < 256 * MiB, `the parent stayed small (${Math.round(peakParentRss / MiB)} MB)`);
  t.diagnostic(`${expected} messages: ${ok} ok, errors ${JSON.stringify(Object.fromEntries(errors))}; ${stats.recycles} recycles, parent peak ${Math.round(peakParentRss / MiB)} MB`);
});
