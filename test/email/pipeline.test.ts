import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/core/log.js';
import { resolveMemoryBudget } from '../../src/core/memory/budget.js';
import { MemoryMonitor } from '../../src/core/memory/monitor.js';
import { isProcessAlive } from '../../src/core/memory/proc.js';
import { WorkerPool } from '../../src/core/pool/pool.js';
import { InlineEmailRunner, PoolEmailRunner, type EmailBatchRunner, type EmailTaskPool } from '../../src/email/batch-runner.js';
import type { EmailBatch } from '../../src/email/batch.js';
import { nlpLoaded } from '../../src/email/nlp.js';
import { planEmailPool } from '../../src/email/pipeline-options.js';
import { analyzeUnits, emailAnalysisKind, messageUnits, type EmailJobSummary, type MessageUnit } from '../../src/email/pipeline.js';
import type { AnalysisResult } from '../../src/email/types.js';
import { createJobContext } from '../../src/jobs/runner.js';
import { JobStore } from '../../src/jobs/store.js';
import { garbage } from './helpers.js';
import { mail, sampleMessages, writeMaildir, writeMbox } from './pipeline-mail.js';

const MiB = 1024 ** 2;

type Delivered = { position: number; id: string; result: AnalysisResult };

async function runAll(units: AsyncIterable<MessageUnit>, runner: EmailBatchRunner, options: { batchSize: number; concurrency: number; onResult?: (d: Delivered) => void | Promise<void> }): Promise<Delivered[]> {
  const delivered: Delivered[] = [];
  await analyzeUnits({
    units,
    runner,
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    async onResult(result, unit) {
      const entry = { position: unit.position, id: unit.item.id, result };
      delivered.push(entry);
      await options.onResult?.(entry);
    },
  });
  return delivered;
}

/** Results without the one field that measures this run rather than the message. */
function comparable(results: AnalysisResult[]): unknown[] {
  return results.map((result) => {
    if (!result.ok) return result;
    const { elapsedMs: _elapsed, ...rest } = result;
    return rest;
  });
}

describe('email pipeline on the worker pool and in-process', () => {
  let dir: string;
  let pool: WorkerPool<EmailBatch, AnalysisResult[]>;
  let paths: string[];
  let expectedIds: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-email-pipeline-'));
    const mbox = join(dir, 'inbox.mbox');
    writeMbox(mbox, [...sampleMessages(6), mail({ from: 'a@example.com', subject: 'From lines', body: 'From the desk of Bob: this line follows a blank line.\n\nFrom here on it is body text.' })]);
    const maildirFiles = writeMaildir(join(dir, 'Maildir'), sampleMessages(3).reverse());
    const junk = join(dir, 'junk.eml');
    writeFileSync(junk, garbage(20_000));
    const single = join(dir, 'single.eml');
    writeFileSync(single, mail({ from: 'Carol Chen <carol@example.com>', subject: 'Lunch?', body: 'Are you free for lunch on Thursday?' }));
    paths = [mbox, join(dir, 'Maildir'), junk, single];
    expectedIds = [...Array.from({ length: 7 }, (_, i) => `${mbox}#${i}`), ...maildirFiles, junk, single];
    const plan = planEmailPool(1024 * MiB, { batchSize: 3 });
    pool = new WorkerPool<EmailBatch, AnalysisResult[]>({ ...plan.poolOptions, size: 2 });
    await pool.start();
  });

  after(async () => {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('process and inline isolation give the same results, in input order, one per message', async () => {
    const inPool = await runAll(messageUnits(paths), new PoolEmailRunner(pool), { batchSize: 3, concurrency: 3 });
    // Everything so far ran in the workers: this process has not even loaded the model.
    assert.equal(nlpLoaded(), false, 'process isolation must not load the NLP model in the parent');
    assert.ok(pool.stats().completed >= 4, 'the batches ran on the pool');
    const inline = await runAll(messageUnits(paths), new InlineEmailRunner(), { batchSize: 3, concurrency: 1 });
    assert.equal(nlpLoaded(), true);

    assert.deepEqual(inPool.map((d) => d.id), expectedIds);
    assert.deepEqual(inPool.map((d) => d.position), expectedIds.map((_, i) => i));
    assert.deepEqual(inPool.map((d) => d.result.id), expectedIds, 'each result carries its message id');
    assert.deepEqual(comparable(inPool.map((d) => d.result)), comparable(inline.map((d) => d.result)));

    const byId = new Map(inPool.map((d) => [d.id, d.result]));
    const junk = byId.get(join(dir, 'junk.eml'))!;
    assert.equal(junk.ok, false);
    assert.equal(!junk.ok && junk.code, 'E_UNPARSEABLE');
    const contract = byId.get(`${join(dir, 'inbox.mbox')}#0`)!;
    assert.ok(contract.ok);
    assert.equal(contract.messageId, '<contract-0@acme.example>');
    assert.ok(contract.questions.some((q) => /signed contract/.test(q.text)));
    assert.equal(contract.deadlines.find((d) => d.phrase === 'by Friday')?.date, '2001-05-18');
    const list = byId.get(`${join(dir, 'inbox.mbox')}#1`)!;
    assert.ok(list.ok && list.bulk.isBulk);
    const latin = byId.get(`${join(dir, 'inbox.mbox')}#3`)!;
    assert.ok(latin.ok && latin.text.analyzed.includes('Grüße aus München'));
    const fromLines = byId.get(`${join(dir, 'inbox.mbox')}#6`)!;
    assert.ok(fromLines.ok && fromLines.text.analyzed.includes('From the desk of Bob'), 'an escaped body line is restored, not taken for a separator');
  });

  test('JSON and raw messages give the same results on the pool and inline', async () => {
    const batch: EmailBatch = {
      items: [
        { id: 'json-1', json: { subject: 'Invoice overdue', from: 'Ann <ann@example.com>', body: 'Please pay the $1,200 invoice by June 1. Why is it late?', date: '2001-05-14T09:00:00-05:00' } },
        { id: 'json-bad', json: { subject: 42 } },
        { id: 'raw-1', raw: Buffer.from(mail({ from: 'b@example.com', subject: 'Raw', body: 'Can you call me today?' })) },
        { id: 'raw-garbage', raw: garbage(5000, 7) },
      ],
    };
    const pooled = await new PoolEmailRunner(pool).run(batch);
    const inline = await new InlineEmailRunner().run(batch);
    assert.deepEqual(pooled.map((r) => [r.id, r.ok]), [['json-1', true], ['json-bad', false], ['raw-1', true], ['raw-garbage', false]]);
    assert.deepEqual(comparable(pooled), comparable(inline));
  });

  test('a worker SIGKILLed mid-batch has its batch retried: every message is accounted for, in order', async () => {
    // Long messages (a few hundred ms per batch), so the kill lands while a batch is being analysed.
    const filler = 'We reviewed the quarterly numbers with Acme Corp in Houston and agreed on the next steps for the pipeline project. ';
    const messages = Array.from({ length: 60 }, (_, i) =>
      mail({ from: `Person ${i} <p${i}@example.com>`, subject: `Update ${i}`, body: `${filler.repeat(120)}\nCould you confirm by Friday?` }),
    );
    const mbox = join(dir, 'long.mbox');
    writeMbox(mbox, messages);
    const single = new WorkerPool<EmailBatch, AnalysisResult[]>({ ...planEmailPool(512 * MiB, { batchSize: 10 }).poolOptions, size: 1, prewarm: false });
    await single.start();
    const retriedBefore = single.stats().retried;
    let victim: number | undefined;
    try {
      const delivered = await runAll(messageUnits(mbox), new PoolEmailRunner(single), {
        batchSize: 10,
        concurrency: 2,
        async onResult(entry) {
          if (entry.position !== 12 || victim !== undefined) return;
          // The next batch is on the worker now: kill it mid-batch.
          const deadline = Date.now() + 3000;
          while (Date.now() < deadline) {
            const busy = single.stats().workers.find((w) => w.state === 'busy');
            if (busy) {
              victim = busy.pid;
              process.kill(busy.pid, 'SIGKILL');
              break;
            }
            await sleep(5);
          }
        },
      });
      assert.ok(victim !== undefined, 'a busy worker was found and killed');
      assert.equal(single.stats().retried - retriedBefore, 1, 'the killed batch was retried once');
      assert.equal(isProcessAlive(victim!), false);
      assert.deepEqual(delivered.map((d) => d.position), messages.map((_, i) => i));
      assert.deepEqual(delivered.map((d) => d.result.id), messages.map((_, i) => `${mbox}#${i}`));
      assert.ok(delivered.every((d) => d.result.ok), 'no message was lost to the kill');
      const inline = await runAll(messageUnits(mbox), new InlineEmailRunner(), { batchSize: 10, concurrency: 1 });
      assert.deepEqual(comparable(delivered.map((d) => d.result)), comparable(inline.map((d) => d.result)));
    } finally {
      await single.destroy();
    }
  });

  test('a message that kills its worker every time fails alone; the rest of its batch is analysed', async () => {
    // A 20 MB message pushes a worker past a deliberately low hard limit on every attempt.
    const big = join(dir, 'big.eml');
    const attachment = Buffer.alloc(15 * MiB, 7).toString('base64').replace(/.{76}/g, '$&\n');
    writeFileSync(
      big,
      `From: big@example.com\nSubject: Huge attachment\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nSee attached.\n` +
        `--XX\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=x.bin\n\n${attachment}\n--XX--\n`,
    );
    const small = [0, 1, 2].map((i) => {
      const path = join(dir, `small-${i}.eml`);
      writeFileSync(path, mail({ from: 'c@example.com', subject: `Small ${i}`, body: 'Short and sweet. Can we meet?' }));
      return path;
    });
    const tight = new WorkerPool<EmailBatch, AnalysisResult[]>({
      ...planEmailPool(512 * MiB).poolOptions,
      size: 1,
      prewarm: false,
      // A worker idles near 95 MB and peaks near 96 MB on small messages, 165-175 MB on the 20 MB one.
      softRssBytes: 110 * MiB,
      hardRssBytes: 130 * MiB,
      sampleIntervalMs: 20,
      maxAttempts: 2,
    });
    await tight.start();
    try {
      const runner = new PoolEmailRunner(tight);
      const delivered = await runAll(messageUnits([small[0]!, big, small[1]!, small[2]!]), runner, { batchSize: 4, concurrency: 1 });
      assert.deepEqual(delivered.map((d) => d.id), [small[0], big, small[1], small[2]]);
      const [first, huge, second, third] = delivered.map((d) => d.result);
      assert.ok(first!.ok && second!.ok && third!.ok, 'the innocent messages of the batch are analysed');
      assert.equal(huge!.ok, false);
      assert.equal(!huge!.ok && huge!.code, 'E_TASK_KILLED_WORKER');
      assert.equal(runner.poisoned, 1);
      assert.ok(tight.stats().kills >= 2, `the hard limit killed workers (${tight.stats().kills})`);
    } finally {
      await tight.destroy();
    }
    // Within a normal plan's limits the same message is analysed: cut at the byte cap and flagged.
    const [normal] = await new PoolEmailRunner(pool).run({ items: [{ id: big, ref: { path: big, format: 'file', offset: 0, length: 0, index: 0 } }] });
    assert.ok(normal!.ok, `a 20 MB message is analysed on a normal pool: ${JSON.stringify(normal)}`);
    assert.equal(normal!.truncated, true);
    assert.ok(normal!.warnings.some((w) => w.code === 'W_SOURCE_TRUNCATED'));
  });

  test('a mailbox job stores one row per message and resumes with only the missing ones', async () => {
    const mbox = join(dir, 'job.mbox');
    const messages = sampleMessages(23);
    writeMbox(mbox, messages);
    const store = new JobStore(join(dir, 'data'));
    const monitor = new MemoryMonitor({ budget: resolveMemoryBudget('512MB') });
    let sent = 0;
    const counting: EmailTaskPool = {
      run(batch, options) {
        sent += batch.items.length;
        return pool.run(batch, options);
      },
    };
    const kind = emailAnalysisKind({ pool: counting, concurrency: 2, batchSize: 4, monitor });
    try {
      const job = store.createJob({ owner: 'o', kind: kind.kind, options: {}, inputPath: mbox, inputName: 'job.mbox' });
      // First run: stopped (as by a shutdown) after 6 messages are stored.
      const stop = new AbortController();
      const first = createJobContext(store, job, stop.signal, silentLogger(), () => undefined);
      const record = first.recordUnit;
      first.recordUnit = (unit, ok, result) => {
        const stored = record(unit, ok, result);
        if (store.storedUnitNumbers(job.id).size >= 6) stop.abort(new Error('shutdown'));
        return stored;
      };
      await assert.rejects(kind.run(first));
      const storedFirst = store.storedUnitNumbers(job.id).size;
      assert.ok(storedFirst >= 6 && storedFirst < messages.length, `first run stored ${storedFirst}`);
      assert.equal(store.getJob(job.id)!.unitsTotal, messages.length);

      sent = 0;
      const second = createJobContext(store, store.getJob(job.id)!, new AbortController().signal, silentLogger(), () => undefined);
      const summary = (await kind.run(second)) as EmailJobSummary;
      assert.equal(sent, messages.length - storedFirst, 'the resumed run analysed only the missing messages');
      assert.equal(summary.messages, messages.length);
      assert.equal(summary.ok, messages.length);
      assert.equal(summary.analysed_this_run, messages.length - storedFirst);
      assert.ok(summary.bulk >= 3);
      store.finishJob(job.id, 'done', { summary });

      const done = store.getJob(job.id)!;
      assert.equal(done.unitsDone, messages.length);
      const jsonl = (await bodyText(kind.renderResult(done, store, 'jsonl').body)).trimEnd().split('\n').map((line) => JSON.parse(line) as AnalysisResult);
      assert.deepEqual(jsonl.map((r) => r.id), messages.map((_, i) => `job.mbox#${i}`), 'ids name the upload, in mailbox order');
      const csv = kind.renderResult(done, store, 'csv');
      assert.equal((await bodyText(csv.body)).trimEnd().split('\n').length, messages.length + 1);
      assert.match(csv.filename ?? '', /^job-keel\.csv$/);
      const json = JSON.parse(await bodyText(kind.renderResult(done, store, 'json').body)) as { summary: EmailJobSummary; messages: AnalysisResult[] };
      assert.equal(json.messages.length, messages.length);
      assert.equal(json.summary.messages, messages.length);
    } finally {
      store.close();
    }
  });
});

/** A rendered result's body as text, whether it came as a string or as a stream. */
async function bodyText(body: string | NodeJS.ReadableStream): Promise<string> {
  if (typeof body === 'string') return body;
  let text = '';
  for await (const chunk of body) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return text;
}
