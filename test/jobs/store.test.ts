import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobStore } from '../../src/jobs/store.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-store-'));
}

test('jobs and their units persist in a real SQLite file across reopenings', () => {
  const dir = tempDir();
  try {
    let store = new JobStore(dir);
    const job = store.createJob({ owner: 'alice', kind: 'deed-scan', options: { mode: 'page_by_page' }, inputName: 'a.pdf' });
    assert.equal(job.status, 'queued');
    const claimed = store.claimNextJob('runner-1', 30_000);
    assert.equal(claimed?.id, job.id);
    assert.equal(claimed?.status, 'running');
    store.setTotal(job.id, 3);
    assert.equal(store.recordUnit(job.id, 0, true, { page: 1, text: 'one' }), true);
    assert.equal(store.recordUnit(job.id, 1, false, { code: 'E_OCR' }), true);
    store.close();

    store = new JobStore(dir);
    const reopened = store.getJob(job.id)!;
    assert.equal(reopened.unitsDone, 2);
    assert.equal(reopened.unitsFailed, 1);
    assert.equal(reopened.unitsTotal, 3);
    assert.deepEqual([...store.storedUnitNumbers(job.id)], [0, 1]);
    assert.deepEqual([...store.iterateUnits(job.id)].map((u) => [u.unit, u.ok]), [[0, true], [1, false]]);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a unit is never stored twice', () => {
  const dir = tempDir();
  try {
    const store = new JobStore(dir);
    const job = store.createJob({ owner: 'o', kind: 'k', options: {} });
    assert.equal(store.recordUnit(job.id, 5, true, { first: true }), true);
    assert.equal(store.recordUnit(job.id, 5, true, { first: false }), false);
    const units = [...store.iterateUnits<{ first: boolean }>(job.id)];
    assert.equal(units.length, 1);
    assert.equal(units[0]!.result.first, true);
    assert.equal(store.getJob(job.id)!.unitsDone, 1);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('running jobs of a dead runner are reclaimed, by lease expiry or at start-up', async () => {
  const dir = tempDir();
  try {
    const store = new JobStore(dir);
    const a = store.createJob({ owner: 'o', kind: 'k', options: {} });
    await new Promise((resolve) => setTimeout(resolve, 5)); // distinct creation times: claims go oldest first
    const b = store.createJob({ owner: 'o', kind: 'k', options: {} });
    assert.equal(store.claimNextJob('dead-runner', 20)?.id, a.id);
    assert.equal(store.claimNextJob('dead-runner', 60_000)?.id, b.id);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(store.reclaimExpired(), 1, 'only the expired lease is reclaimed');
    assert.equal(store.getJob(a.id)!.status, 'queued');
    assert.equal(store.reclaimAllRunning(), 1);
    assert.equal(store.getJob(b.id)!.status, 'queued');
    const again = store.claimNextJob('new-runner', 60_000)!;
    assert.equal(again.id, a.id, 'oldest first');
    assert.equal(again.resumes, 1, 'a job claimed again counts as resumed');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('finished jobs keep their outcome; only the owner lists them; delete removes units', () => {
  const dir = tempDir();
  try {
    const store = new JobStore(dir);
    const mine = store.createJob({ owner: 'alice', kind: 'k', options: {} });
    store.createJob({ owner: 'bob', kind: 'k', options: {} });
    store.recordUnit(mine.id, 0, true, {});
    assert.equal(store.finishJob(mine.id, 'failed', { code: 'E_NOT_PDF', message: 'not a PDF' }), true);
    assert.equal(store.finishJob(mine.id, 'done'), false, 'a finished job is not finished again');
    const job = store.getJob(mine.id)!;
    assert.equal(job.status, 'failed');
    assert.equal(job.errorCode, 'E_NOT_PDF');
    assert.deepEqual(store.listJobs('alice').map((j) => j.id), [mine.id]);
    assert.equal(store.deleteJob(mine.id), true);
    assert.equal([...store.iterateUnits(mine.id)].length, 0);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('result rows come back in order, a new run replaces those an interrupted one left, and they go with their job', () => {
  const dir = tempDir();
  try {
    let store = new JobStore(dir);
    const job = store.createJob({ owner: 'alice', kind: 'deed-scan', options: {} });
    // An interrupted run: 600 rows stored (two full batches and part of a third), then the process dies.
    let rows = store.startResultRows(job.id, 256);
    for (let i = 0; i < 600; i++) rows.add({ deed: i + 1, run: 1 });
    store.close();

    store = new JobStore(dir);
    assert.equal([...store.iterateResultRows(job.id)].length, 512, 'the rows of whole batches were committed');
    rows = store.startResultRows(job.id, 256);
    for (let i = 0; i < 300; i++) rows.add({ deed: i + 1, run: 2 });
    rows.finish();
    const stored = [...store.iterateResultRows<{ deed: number; run: number }>(job.id, 100)];
    assert.deepEqual(stored.map((row) => row.deed), Array.from({ length: 300 }, (_, i) => i + 1));
    assert.ok(stored.every((row) => row.run === 2), 'nothing of the interrupted run is left');
    assert.equal(store.deleteJob(job.id), true);
    assert.equal([...store.iterateResultRows(job.id)].length, 0);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the store\'s page cache is bounded: writing thousands of pages does not grow the process by what it wrote', () => {
  // In a fresh process, so nothing else the test runner holds moves its RSS. ~3 KB a row, like an OCR'd
  // page; better-sqlite3's own 16 MB cache grew this process ~16 MB from row 500 to row 4000.
  const storeUrl = new URL('../../src/jobs/store.js', import.meta.url).href;
  const script = `
    import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const { JobStore } = await import(${JSON.stringify(storeUrl)});
    const rssMb = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const dir = mkdtempSync(join(tmpdir(), 'keel-store-cache-'));
    const store = new JobStore(dir);
    const job = store.createJob({ owner: 'alice', kind: 'deed-scan', options: {}, inputName: 'book.pdf' });
    const text = 'THE GRANTOR does hereby grant and convey, excepting and reserving all the oil and gas. '.repeat(36);
    let atWarm = 0;
    for (let i = 0; i < 4000; i++) {
      store.recordUnit(job.id, i, true, { page: i + 1, text: text + i, ocrQuality: 0.9 });
      if (i === 499) { gc(); atWarm = rssMb(); }
    }
    gc();
    console.log(JSON.stringify({ growthMb: rssMb() - atWarm }));
    store.close();
    rmSync(dir, { recursive: true, force: true });
  `;
  const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { growthMb } = JSON.parse(run.stdout.trim()) as { growthMb: number };
  assert.ok(growthMb < 8, `the process grew ${growthMb.toFixed(1)} MB while storing 3,500 more pages (~11 MB of rows)`);
});
