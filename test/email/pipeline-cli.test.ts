import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../helpers/shared.js';
import { mail, sampleMessages, writeMaildir, writeMbox } from './pipeline-mail.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `keel emails ...` as a real child process. */
function keel(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'emails', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEEL_MEMORY_BUDGET: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function withoutTiming(line: string): unknown {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  delete parsed.elapsedMs;
  return parsed;
}

describe('keel emails, end to end', () => {
  let dir: string;
  let mbox: string;
  let maildir: string;
  let expectedIds: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'keel-emails-cli-'));
    mbox = join(dir, 'inbox.mbox');
    writeMbox(mbox, sampleMessages(5));
    maildir = join(dir, 'Maildir');
    const files = writeMaildir(maildir, [
      mail({ from: 'Jane Smith <jane.smith@acme.example>', subject: 'Deadline', messageId: '<d1@acme.example>', body: 'Please send the report by 5pm Friday. It is urgent.' }),
      mail({ from: 'Bob Jones <bob@example.org>', subject: 'Re: lunch', body: 'Thanks, that works for me!' }),
      mail({ from: 'no-reply@service.example', subject: 'Your password was changed', body: 'This is an automated message. Do not reply.' }),
    ]);
    expectedIds = [...[0, 1, 2, 3, 4].map((i) => `${mbox}#${i}`), ...files];
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('JSONL: one line per message, in input order, with id, ok and the analysis', async () => {
    const run = await keel([mbox, maildir, '--no-progress']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 8);
    const results = lines.map((line) => JSON.parse(line) as Record<string, any>);
    assert.deepEqual(results.map((r) => r.id), expectedIds);
    assert.ok(results.every((r) => r.ok === true));
    for (const r of results) {
      for (const key of ['entities', 'keyPhrases', 'questions', 'sentiment', 'patterns', 'urgency', 'deadlines', 'bulk', 'priority', 'sentenceCount']) {
        assert.ok(key in r, `${r.id} has ${key}`);
      }
    }
    const deadline = results[5]!;
    assert.equal(deadline.messageId, '<d1@acme.example>');
    assert.equal(deadline.deadlines[0].date, '2001-05-18T17:00:00-07:00');
    assert.ok(results[7]!.bulk.isAutomated, 'a no-reply notice is automated');
    assert.match(run.stderr, /done: 8 messages \(8 analysed, 0 failed\)/);
  });

  test('--isolation inline writes exactly what the worker processes write', async () => {
    const [pooled, inline] = await Promise.all([keel([mbox, maildir, '--no-progress']), keel([mbox, maildir, '--no-progress', '--isolation', 'inline', '--batch-size', '2'])]);
    assert.equal(pooled.code, 0, pooled.stderr);
    assert.equal(inline.code, 0, inline.stderr);
    assert.deepEqual(inline.stdout.trimEnd().split('\n').map(withoutTiming), pooled.stdout.trimEnd().split('\n').map(withoutTiming));
  });

  test('--format csv --out FILE and --format table', async () => {
    const out = join(dir, 'signals.csv');
    const csv = await keel([mbox, maildir, '--format', 'csv', '--out', out, '--no-progress']);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout, '', 'results go to the file, not stdout');
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(rows.length, 9, 'a header and one row per message');
    assert.match(rows[0]!, /^id,ok,error_code,error_message,message_id,date,from,subject,/);
    assert.ok(rows[1]!.startsWith(`${mbox}#0,true,`));

    const table = await keel([mbox, '--format', 'table', '--no-progress']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    assert.match(lines[0]!, /PRI\s+URGENCY/);
    assert.match(lines[1]!, /^\s+1\s+\d+\s+\w+/);
  });

  test('a message that cannot be analysed is a line with ok:false, and the run still succeeds', async () => {
    const junk = join(dir, 'junk');
    mkdirSync(junk);
    writeFileSync(join(junk, 'binary.eml'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    writeFileSync(join(junk, 'empty.eml'), '');
    const run = await keel([junk, '--no-progress']);
    assert.equal(run.code, 0, run.stderr);
    const results = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; ok: boolean; code?: string });
    assert.deepEqual(results.map((r) => [r.ok, r.code]), [[false, 'E_UNPARSEABLE'], [false, 'E_EMPTY_MESSAGE']]);
  });

  test('bad input exits 2 with a clear message: a missing path, a bad option, nothing to analyse', async () => {
    const missing = join(dir, 'no-such-mailbox.mbox');
    const run = await keel([mbox, missing]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '', 'nothing is analysed when a path is missing');
    assert.match(run.stderr, new RegExp(`cannot read ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file or directory`));

    const format = await keel([mbox, '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format must be one of jsonl, csv, table/);

    const none = await keel([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name at least one mailbox/);

    const empty = join(dir, 'empty-folder');
    mkdirSync(empty);
    const nothing = await keel([empty, '--no-progress']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /no messages found/);

    // A named pipe nobody writes to would block a read forever: it is refused up front.
    const pipe = join(dir, 'inbox.fifo');
    execFileSync('mkfifo', [pipe]);
    const fifo = await keel([pipe, '--no-progress']);
    assert.equal(fifo.code, 2);
    assert.match(fifo.stderr, /not a regular file or a folder/);
  });
});
