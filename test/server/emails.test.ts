import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../src/core/log.js';
import { resolveMemoryBudget } from '../../src/core/memory/budget.js';
import { MemoryMonitor } from '../../src/core/memory/monitor.js';
import { OnDemandPool } from '../../src/core/pool/on-demand-pool.js';
import type { WorkerPool } from '../../src/core/pool/pool.js';
import type { EmailBatch } from '../../src/email/batch.js';
import { planEmailPool } from '../../src/email/pipeline-options.js';
import { emailAnalysisKind } from '../../src/email/pipeline.js';
import type { AnalysisResult } from '../../src/email/types.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { JobStore } from '../../src/jobs/store.js';
import { buildApp } from '../../src/server/app.js';
import { loadApiKeys } from '../../src/server/auth.js';
import { KeelMetrics } from '../../src/server/metrics.js';
import { ANALYZE_MAX_MESSAGES, registerEmailRoutes } from '../../src/server/routes/emails.js';
import { mail, sampleMessages, writeMbox } from '../email/pipeline-mail.js';
import { repoRoot } from '../helpers/shared.js';

const MiB = 1024 ** 2;
const K1 = 'k1';
const K2 = 'k2';

describe('email routes on a real server', () => {
  let dir: string;
  let url: string;
  let app: FastifyInstance;
  let store: JobStore;
  let runner: JobRunner;
  let monitor: MemoryMonitor;
  let pool: OnDemandPool<EmailBatch, AnalysisResult[]>;

  const call = (path: string, key: string | undefined, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string> | undefined) } });

  function upload(key: string | undefined, name: string, content: Buffer | string, fields: Record<string, string> = {}) {
    const form = new FormData();
    for (const [field, value] of Object.entries(fields)) form.append(field, value);
    form.append('file', new Blob([content]), name);
    return call('/v1/emails', key, { method: 'POST', body: form });
  }

  async function waitForJob(id: string, key: string): Promise<Record<string, any>> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = (await (await call(`/v1/jobs/${id}`, key)).json()) as Record<string, any>;
      if (['done', 'failed', 'cancelled'].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
      await sleep(50);
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-email-routes-'));
    store = new JobStore(join(dir, 'data'));
    const logger = silentLogger();
    const budget = resolveMemoryBudget('512MB');
    monitor = new MemoryMonitor({ budget }).start();
    const plan = planEmailPool(budget.bytes);
    pool = new OnDemandPool<EmailBatch, AnalysisResult[]>(plan.poolOptions, 30_000);
    const kind = emailAnalysisKind({ pool, concurrency: plan.concurrency, batchSize: plan.batchSize, monitor });
    runner = new JobRunner({ store, executors: [kind], logger, pollMs: 100 });
    const pools = () => (pool.current ? [pool.current as unknown as WorkerPool<unknown, unknown>] : []);
    const uploadsDir = join(dir, 'data', 'uploads');
    mkdirSync(uploadsDir, { recursive: true });
    app = buildApp({
      keys: loadApiKeys({ dataDir: dir, env: { KEEL_API_KEYS: `${K1},${K2}` } }),
      store,
      runner,
      kinds: [kind],
      monitor,
      pools,
      metrics: new KeelMetrics({ monitor, pools, store }),
      logger,
      uploadsDir,
      maxUploadBytes: 2 * MiB,
      maxQueuedJobs: 10,
      webDir: join(repoRoot, 'web'),
      version: 'test',
      startedAt: Date.now(),
      routes: [
        (instance, shared) =>
          registerEmailRoutes(instance, {
            keys: loadApiKeys({ dataDir: dir, env: { KEEL_API_KEYS: `${K1},${K2}` } }),
            store,
            runner,
            uploadsDir,
            maxUploadBytes: 2 * MiB,
            maxQueuedJobs: 10,
            view: shared.view,
            pool,
            concurrency: plan.concurrency,
            batchSize: plan.batchSize,
          }),
      ],
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    runner.start();
  });

  after(async () => {
    await runner.stop();
    await app.close();
    await pool.close();
    monitor.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('POST /v1/emails/analyze answers JSON messages synchronously, in order, from the pool workers', async () => {
    const response = await call('/v1/emails/analyze', K1, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { id: 'a', subject: 'Invoice overdue', from: 'Ann Lee <ann@example.com>', body: 'Please pay the $1,200 invoice by June 1. Why is it late?', date: '2001-05-14T09:00:00-05:00' },
        { subject: 'Newsletter', from: 'news@example.com', body: 'Spring sale! Unsubscribe here.', headers: { 'List-Unsubscribe': '<mailto:u@example.com>', Precedence: 'bulk' } },
        { subject: 7 },
      ]),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { count: number; ok: number; failed: number; results: AnalysisResult[] };
    assert.equal(body.count, 3);
    assert.deepEqual(body.results.map((r) => [r.id, r.ok]), [['a', true], ['1', true], ['2', false]]);
    const [invoice, newsletter, bad] = body.results;
    assert.ok(invoice!.ok && invoice!.deadlines.some((d) => d.date === '2001-06-01'));
    assert.ok(invoice!.ok && invoice!.entities.some((e) => e.type === 'MONEY'));
    assert.ok(newsletter!.ok && newsletter!.bulk.isBulk);
    assert.ok(!bad!.ok && bad!.code === 'E_INVALID_INPUT');
    assert.ok(pool.current && pool.current.stats().completed > 0, 'the analysis ran on the email pool');
  });

  test('a raw RFC 822 message is analysed and known by its Message-ID', async () => {
    const raw = mail({ from: 'Jane <jane@example.com>', subject: 'Call me', messageId: '<raw-1@example.com>', body: 'Can you call me today? It is urgent.' });
    for (const type of ['message/rfc822', 'text/plain']) {
      const response = await call('/v1/emails/analyze', K1, { method: 'POST', headers: { 'content-type': type }, body: raw });
      assert.equal(response.status, 200, type);
      const body = (await response.json()) as { results: AnalysisResult[] };
      assert.equal(body.results.length, 1);
      const [result] = body.results;
      assert.ok(result!.ok);
      assert.equal(result!.id, '<raw-1@example.com>');
      assert.equal(result!.subject, 'Call me');
      assert.notEqual(result!.urgency.level, 'none');
    }
  });

  test('JSON nested far too deep to pass to a worker is refused per message; the server keeps serving', async () => {
    // 400 KB of brackets: a message that is an array 100,000 deep, and one whose subject is.
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = `[${deep}, {"subject": ${deep}, "body": "x"}, {"id": "fine", "subject": "Still here", "body": "Can you call me?"}]`;
    const response = await call('/v1/emails/analyze', K1, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(response.status, 200);
    const { results } = (await response.json()) as { results: AnalysisResult[] };
    assert.deepEqual(results.map((r) => [r.id, r.ok, r.ok ? '' : r.code]), [['0', false, 'E_INVALID_INPUT'], ['1', false, 'E_INVALID_INPUT'], ['fine', true, '']]);
    assert.ok(!results[1]!.ok && /"subject" must be a string/.test(results[1]!.message));
    const again = await call('/v1/emails/analyze', K1, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"subject": "After", "body": "hello"}' });
    assert.equal(again.status, 200);
    assert.equal(pool.current?.stats().kills, 0, 'no worker was timed out or killed');
  });

  test('too many messages or too many bytes: 413 that points to the mailbox upload', async () => {
    const many = Array.from({ length: ANALYZE_MAX_MESSAGES + 1 }, (_, i) => ({ subject: `s${i}`, body: 'hello' }));
    const tooMany = await call('/v1/emails/analyze', K1, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(many) });
    assert.equal(tooMany.status, 413);
    const error = ((await tooMany.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'E_TOO_LARGE');
    assert.match(error.message, /101 messages/);
    assert.match(error.message, /POST \/v1\/emails\b/);

    const big = await call('/v1/emails/analyze', K1, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: mail({ from: 'a@b.c', subject: 'big', body: 'x'.repeat(5 * MiB) }) });
    assert.equal(big.status, 413);
    assert.match(((await big.json()) as { error: { message: string } }).error.message, /upload the mailbox/);

    const empty = await call('/v1/emails/analyze', K1, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    assert.equal(empty.status, 400);
  });

  test('every email route needs a valid key', async () => {
    const body = JSON.stringify({ subject: 'hi', body: 'hello' });
    assert.equal((await call('/v1/emails/analyze', undefined, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status, 401);
    assert.equal((await call('/v1/emails/analyze', 'wrong', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status, 401);
    const before = readdirSync(join(dir, 'data', 'uploads')).length;
    assert.equal((await upload('wrong', 'inbox.mbox', 'From: a@b.c\n\nhello\n')).status, 401);
    assert.equal(readdirSync(join(dir, 'data', 'uploads')).length, before, 'nothing stored for a rejected key');
  });

  test('a mailbox upload becomes a job that completes; its result is owned by the key', async () => {
    const mbox = join(dir, 'upload.mbox');
    const messages = sampleMessages(12);
    writeMbox(mbox, messages);
    const response = await upload(K1, 'inbox.mbox', readFileSync(mbox), { reference_date: '2001-05-14T09:00:00-05:00' });
    assert.equal(response.status, 202);
    const created = (await response.json()) as { id: string; kind: string; status: string; progress: { unit: string } };
    assert.equal(created.kind, 'email-analysis');
    assert.equal(created.progress.unit, 'messages');
    assert.equal(response.headers.get('location'), `/v1/jobs/${created.id}`);

    const job = await waitForJob(created.id, K1);
    assert.equal(job.status, 'done', JSON.stringify(job.error));
    assert.equal(job.progress.done, messages.length);
    assert.equal(job.progress.total, messages.length);

    const jsonl = await call(`/v1/jobs/${created.id}/result?format=jsonl`, K1);
    assert.equal(jsonl.status, 200);
    const results = (await jsonl.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as AnalysisResult);
    assert.deepEqual(results.map((r) => r.id), messages.map((_, i) => `inbox.mbox#${i}`));
    assert.ok(results.every((r) => r.ok));

    const json = (await (await call(`/v1/jobs/${created.id}/result`, K1)).json()) as { summary: { messages: number; bulk: number }; messages: unknown[] };
    assert.equal(json.summary.messages, messages.length);
    assert.equal(json.messages.length, messages.length);
    const csv = await call(`/v1/jobs/${created.id}/result?format=csv`, K1);
    assert.match(csv.headers.get('content-disposition') ?? '', /filename="inbox-keel\.csv"/);
    assert.equal((await csv.text()).trimEnd().split('\n').length, messages.length + 1);

    // Another key cannot see it, fetch its result or delete it.
    assert.equal((await call(`/v1/jobs/${created.id}`, K2)).status, 404);
    assert.equal((await call(`/v1/jobs/${created.id}/result?format=jsonl`, K2)).status, 404);
    assert.equal((await call(`/v1/jobs/${created.id}`, K2, { method: 'DELETE' })).status, 404);
    assert.equal((await call(`/v1/jobs/${created.id}`, K1)).status, 200);
  });

  test('a single .eml upload is a one-message job; a file that is not mail is refused with 400', async () => {
    const response = await upload(K2, 'note.eml', mail({ from: 'c@example.com', subject: 'Note', body: 'Could you review this?' }));
    assert.equal(response.status, 202);
    const { id } = (await response.json()) as { id: string };
    const job = await waitForJob(id, K2);
    assert.equal(job.status, 'done');
    assert.equal(job.progress.total, 1);
    const [line] = (await (await call(`/v1/jobs/${id}/result?format=jsonl`, K2)).text()).trimEnd().split('\n');
    assert.equal((JSON.parse(line!) as AnalysisResult).id, 'note.eml');

    const pdf = await upload(K2, 'scan.pdf', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1'));
    assert.equal(pdf.status, 400);
    assert.equal(((await pdf.json()) as { error: { code: string } }).error.code, 'E_NOT_MAIL');
    const badOption = await upload(K2, 'note.eml', mail({ from: 'c@example.com', subject: 'x', body: 'y' }), { reference_date: 'someday' });
    assert.equal(badOption.status, 400);
    assert.equal(((await badOption.json()) as { error: { code: string } }).error.code, 'E_BAD_OPTION');
  });
});
