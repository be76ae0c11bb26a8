import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { isProcessAlive, listDescendants } from '../../src/core/memory/proc.js';
import { fixturePath } from '../fixtures/paths.js';
import { api, json, startServer, tempDataDir, uploadDeed, waitForJob, type ServerProcess } from '../helpers/server-process.js';

const ALICE = 'key-alice';
const BOB = 'key-bob';

describe('keel serve, one server for the whole suite', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ args: ['--max-upload-mb', '0.1', '--max-queued-jobs', '3'] });
  });
  after(async () => {
    await server.stop();
  });

  test('upload, live progress over SSE, JSON result and CSV', async () => {
    const response = await uploadDeed(server.url, ALICE, fixturePath('deed-with-reservation.pdf'), { mode: 'page_by_page' });
    assert.equal(response.status, 202);
    const { id } = (await response.json()) as { id: string };

    const events = await fetch(`${server.url}/v1/jobs/${id}/events?key=${ALICE}`);
    assert.equal(events.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const text = await events.text(); // the stream ends after the final event
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.equal(names.at(-1), 'done');
    const progress = [...text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1]!).progress.done as number);
    assert.ok(progress.includes(1) || progress.includes(2), `progress events carried page counts: ${progress.join(',')}`);
    assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'progress only moves forward');

    const status = await json(api(server.url, ALICE, `/v1/jobs/${id}`));
    assert.equal(status.status, 'done');
    assert.equal(status.progress.percent, 100);

    const result = await json(api(server.url, ALICE, `/v1/jobs/${id}/result`));
    assert.equal(result.mode, 'page_by_page');
    assert.equal(result.pages_total, 2);
    assert.equal(result.has_reservation, true);
    assert.equal(result.pages.length, 2);
    assert.deepEqual(result.pages.map((p: { has_reservation: boolean }) => p.has_reservation), [false, true]);
    const evidence = result.deeds.flatMap((d: { evidence: Array<{ page: number; quote: string; counts: boolean }> }) => d.evidence).find((e: { counts: boolean }) => e.counts);
    assert.equal(evidence.page, 2);
    assert.match(evidence.quote, /reserv/i);

    const csv = await api(server.url, ALICE, `/v1/jobs/${id}/result?format=csv`);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename=".*\.csv"/);
    const lines = (await csv.text()).trim().split('\n');
    assert.equal(lines.length, 3, 'a header and one row per page');
    assert.match(lines[2]!, /^deed-with-reservation\.pdf,2,2,2,true,/);
  });

  test('every /v1 route needs a key; another key never sees a job', async () => {
    const response = await uploadDeed(server.url, ALICE, fixturePath('text-layer.pdf'));
    const { id } = (await response.json()) as { id: string };
    assert.equal((await api(server.url, undefined, `/v1/jobs/${id}`)).status, 401);
    assert.equal((await api(server.url, 'not-a-key', `/v1/jobs/${id}`)).status, 401);
    assert.equal((await api(server.url, undefined, '/v1/jobs')).status, 401);
    assert.equal((await uploadDeed(server.url, 'not-a-key', fixturePath('text-layer.pdf'))).status, 401);
    for (const path of [`/v1/jobs/${id}`, `/v1/jobs/${id}/result`, `/v1/jobs/${id}/events`]) {
      assert.equal((await api(server.url, BOB, path)).status, 404, `${path} is hidden from another key`);
    }
    assert.equal((await api(server.url, BOB, `/v1/jobs/${id}`, { method: 'DELETE' })).status, 404);
    const bobsJobs = await json(api(server.url, BOB, '/v1/jobs'));
    assert.ok(!bobsJobs.jobs.some((job: { id: string }) => job.id === id));
    const alicesJobs = await json(api(server.url, ALICE, '/v1/jobs'));
    assert.ok(alicesJobs.jobs.some((job: { id: string }) => job.id === id));
    await waitForJob(server.url, ALICE, id, (job) => job.status === 'done');
  });

  test('an oversized upload gets 413 and leaves no file behind', async () => {
    const before = readdirSync(join(server.dataDir, 'uploads')).length;
    const response = await uploadDeed(server.url, ALICE, fixturePath('multi-deed.pdf'));
    assert.equal(response.status, 413);
    const body = await json(response);
    assert.equal(body.error.code, 'E_TOO_LARGE');
    assert.equal(readdirSync(join(server.dataDir, 'uploads')).length, before, 'the partial upload was removed');
  });

  test('a corrupt PDF fails its job with a clear error and the server keeps serving', async () => {
    for (const [file, code] of [
      ['not-a-pdf.pdf', 'E_NOT_PDF'],
      ['encrypted.pdf', 'E_ENCRYPTED'],
      ['truncated.pdf', 'E_DAMAGED'],
      ['memory-bomb.pdf', 'E_TOO_LARGE'],
    ] as const) {
      const response = await uploadDeed(server.url, ALICE, fixturePath(file));
      assert.equal(response.status, 202);
      const { id } = (await response.json()) as { id: string };
      const job = await waitForJob(server.url, ALICE, id, (j) => j.status === 'failed' || j.status === 'done');
      assert.equal(job.status, 'failed', `${file} fails`);
      assert.equal(job.error.code, code);
      assert.ok(job.error.message.length > 10);
      // Named as the caller sent it; where the server keeps uploads is not the caller's business.
      assert.ok(job.error.message.includes(file), `${file}: ${job.error.message}`);
      assert.ok(!job.error.message.includes(server.dataDir), `${file}: ${job.error.message}`);
      const result = await api(server.url, ALICE, `/v1/jobs/${id}/result`);
      assert.equal(result.status, 409);
    }
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    const ok = await uploadDeed(server.url, ALICE, fixturePath('text-layer.pdf'));
    const { id } = (await ok.json()) as { id: string };
    const done = await waitForJob(server.url, ALICE, id, (j) => j.status === 'done');
    assert.equal(done.progress.done, 2);
  });

  test('malformed uploads get Keel codes and plain words, not the framework\'s', async () => {
    const pdf = new Blob([readFileSync(fixturePath('text-layer.pdf'))], { type: 'application/pdf' });
    const twoFiles = new FormData();
    twoFiles.append('file', pdf, 'a.pdf');
    twoFiles.append('file', pdf, 'b.pdf');
    const response = await api(server.url, ALICE, '/v1/deeds', { method: 'POST', body: twoFiles });
    assert.equal(response.status, 413);
    assert.deepEqual((await json(response)).error, { code: 'E_TOO_LARGE', message: 'send one file per upload, in the field named "file"' });
  });

  test('URLs fastify refuses while routing (an over-long job id, broken percent-encoding) answer in Keel\'s shape', async () => {
    const longId = await api(server.url, ALICE, `/v1/jobs/${'a'.repeat(300)}`);
    assert.equal(longId.status, 414);
    assert.deepEqual((await json(longId)).error, { code: 'E_BAD_REQUEST', message: 'a path parameter of the URL is too long (at most 100 characters)' });
    const badEncoding = await api(server.url, ALICE, '/v1/jobs/%E0%A4%A');
    assert.equal(badEncoding.status, 400);
    assert.deepEqual((await json(badEncoding)).error, { code: 'E_BAD_REQUEST', message: 'the URL is not valid (a broken percent-encoding)' });
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });

  test('bad options are refused with 400 and nothing queued', async () => {
    const response = await uploadDeed(server.url, ALICE, fixturePath('text-layer.pdf'), { mode: 'everything' });
    assert.equal(response.status, 400);
    assert.equal((await json(response)).error.code, 'E_BAD_OPTION');
  });

  test('memory status, metrics and per-request profiling are exposed', async () => {
    const status = await json(fetch(`${server.url}/memory-status`));
    assert.ok(status.tree_rss_mb > 20);
    assert.equal(status.budget.mb, 512);
    assert.ok(status.processes.some((p: { role: string }) => p.role === 'server'));
    assert.ok(Array.isArray(status.history) && status.history.length > 0);
    assert.ok(typeof status.parent.heap_used_mb === 'number' && typeof status.parent.array_buffers_mb === 'number');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of ['keel_tree_rss_bytes', 'keel_units_processed_total', 'keel_worker_recycles_total', 'keel_jobs', 'keel_node_process_resident_memory_bytes']) {
      assert.match(metrics, new RegExp(`^${name}`, 'm'), `${name} is exported`);
    }
    assert.match(metrics, /^keel_units_processed_total\{kind="deed-scan"\} [1-9]/m);
    const health = await fetch(`${server.url}/health`);
    assert.match(health.headers.get('server-timing') ?? '', /total;dur=[\d.]+, rss;desc="tree RSS change [+-][\d.]+ MB"/);
  });

  test('a full queue answers 429 with Retry-After, never an out-of-memory', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    const ids: string[] = [];
    // Sent together: one after another, on a fast machine each small job can finish before the next upload arrives.
    const responses = await Promise.all(Array.from({ length: 8 }, () => uploadDeed(server.url, ALICE, fixturePath('text-layer.pdf'), { mode: 'page_by_page' })));
    for (const response of responses) {
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      else ids.push(((await response.json()) as { id: string }).id);
    }
    assert.ok(statuses.includes(429), `statuses: ${statuses.join(',')}`);
    assert.ok(Number(retryAfter) > 0);
    for (const id of ids) await waitForJob(server.url, ALICE, id, (j) => j.status === 'done');
  });
});

test('a server killed with SIGKILL mid-job resumes it: every page stored exactly once', async () => {
  const dataDir = tempDataDir();
  try {
    let server = await startServer({ dataDir });
    const response = await uploadDeed(server.url, ALICE, fixturePath('multi-deed.pdf'), { mode: 'page_by_page' });
    const { id } = (await response.json()) as { id: string };
    await waitForJob(server.url, ALICE, id, (job) => job.progress.done >= 2);
    const workers = listDescendants(server.child.pid!).filter((pid) => pid !== server.child.pid);
    await server.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.ok(workers.every((pid) => !isProcessAlive(pid)), 'the dead server left no worker behind');

    const storedBefore = new Database(join(dataDir, 'keel.db'), { readonly: true });
    const pagesBefore = (storedBefore.prepare('SELECT COUNT(*) AS n FROM units WHERE job_id = ?').get(id) as { n: number }).n;
    storedBefore.close();
    assert.ok(pagesBefore >= 2 && pagesBefore < 5, `killed mid-job with ${pagesBefore} of 5 pages stored`);

    server = await startServer({ dataDir });
    const done = await waitForJob(server.url, ALICE, id, (job) => job.status === 'done');
    assert.equal(done.resumes, 1);
    assert.match(server.output(), new RegExp(`resumed: ${pagesBefore} unit\\(s\\) already stored`));
    const memory = await json(fetch(`${server.url}/memory-status`));
    const pool = memory.pools.find((p: { name: string }) => p.name.startsWith('deeds-'));
    assert.equal(pool.completed, 1 + (5 - pagesBefore), 'the restarted server read only the missing pages (plus one inspect)');
    await server.stop();

    const db = new Database(join(dataDir, 'keel.db'), { readonly: true });
    const rows = db.prepare('SELECT unit, COUNT(*) AS n FROM units WHERE job_id = ? GROUP BY unit ORDER BY unit').all(id) as Array<{ unit: number; n: number }>;
    db.close();
    assert.deepEqual(rows, [0, 1, 2, 3, 4].map((unit) => ({ unit, n: 1 })));
    assert.ok(!existsSync(join(dataDir, 'keel.lock')), 'a clean stop releases the data directory');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
