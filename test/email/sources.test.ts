import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMessageRef, readMessages, type SourceItem, type SourceMessage } from '../../src/email/sources.js';
import { splitMbox } from '../../src/email/mbox.js';
import { analyzeMessage } from '../../src/email/analyze.js';
import { fixture, fixturesDir, assertOk } from './helpers.js';

async function collect(paths: string | string[], options = {}): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of readMessages(paths, options)) out.push(item);
  return out;
}

function messages(items: SourceItem[]): SourceMessage[] {
  return items.map((item) => {
    if (item.kind !== 'message') assert.fail(`unexpected error item ${item.code}: ${item.message}`);
    return item;
  });
}

function withTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-email-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('an mbox with 3 messages: ids path#i, envelope lines removed, >From unescaped, body "From " lines kept', async () => {
  const path = join(fixturesDir, 'three.mbox');
  const items = messages(await collect(path));
  assert.deepEqual(items.map((m) => m.id), [`${path}#0`, `${path}#1`, `${path}#2`]);
  const texts = items.map((m) => m.raw.toString('utf8'));
  assert.ok(texts.every((t) => !t.startsWith('From ')), 'envelope lines are not part of a message');
  assert.match(texts[1]!, /^From here on the plan changes\.$/m);
  assert.match(texts[1]!, /^>From a doubly escaped line\.$/m);
  assert.match(texts[1]!, /^From the desk of Bob: this line follows a blank line/m);
  assert.equal(items[2]!.envelope, 'From carol@example.com  Tue May 15 08:15:00 2001');

  // Re-reading by reference gives the same bytes (what a pool worker or a retry does).
  for (const item of items) {
    const again = await readMessageRef(item.ref, { id: item.id });
    assert.equal(again.kind, 'message');
    assert.ok(again.kind === 'message' && again.raw.equals(item.raw), `${item.id} re-read differs`);
    assert.equal(again.kind === 'message' && again.envelope, item.envelope);
  }

  // The third message has no Date header: the envelope date stands in, with a warning.
  const third = await analyzeMessage(items[2]!);
  assertOk(third);
  assert.equal(third.date, '2001-05-15T08:15:00+00:00');
  assert.ok(third.warnings.some((w) => w.code === 'W_DATE_FROM_ENVELOPE'));
});

test('the mbox splitter gives the same messages whatever the chunk boundaries', async () => {
  const data = fixture('three.mbox');
  const split = async (size: number) => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
    const out: string[] = [];
    for await (const m of splitMbox(chunks, 1 << 20)) out.push(`${m.index}@${m.offset}+${m.length}:${m.raw.toString('latin1')}`);
    return out;
  };
  const whole = await split(data.length);
  assert.equal(whole.length, 3);
  for (const size of [1, 2, 5, 7, 64, 333]) assert.deepEqual(await split(size), whole, `chunk size ${size}`);
});

test('the per-message byte cap truncates inside an mbox and for single files, and flags it', withTempDir(async (dir) => {
  const big = 'x'.repeat(200) + '\n';
  const mbox = [
    'From a@example.com  Mon May 14 09:00:00 2001\nSubject: one\n\n' + big.repeat(50),
    'From b@example.com  Mon May 14 09:05:00 2001\nSubject: two\n\nshort\n',
  ].join('\n');
  writeFileSync(join(dir, 'box.mbox'), mbox);
  writeFileSync(join(dir, 'single.eml'), 'Subject: single\n\n' + big.repeat(50));
  const items = messages(await collect(dir, { maxMessageBytes: 1000 }));
  const [one, two, single] = items;
  assert.equal(one!.raw.length, 1000);
  assert.equal(one!.truncated, true);
  assert.ok(one!.size > 10_000);
  assert.equal(two!.truncated, false);
  assert.match(two!.raw.toString(), /short/);
  assert.equal(single!.raw.length, 1000);
  assert.equal(single!.truncated, true);
  // The streaming path (files bigger than smallFileBytes) agrees with the in-memory path.
  const streamed = messages(await collect(dir, { maxMessageBytes: 1000, smallFileBytes: 16 }));
  assert.deepEqual(streamed.map((m) => [m.id, m.raw.toString('latin1'), m.truncated, m.size]), items.map((m) => [m.id, m.raw.toString('latin1'), m.truncated, m.size]));
  // Enumeration without content still gives sizes and refs.
  const refs = messages(await collect(dir, { withContent: false }));
  assert.deepEqual(refs.map((m) => [m.id, m.size, m.raw.length]), items.map((m) => [m.id, m.size, 0]));
  assert.deepEqual(refs.map((m) => m.ref), items.map((m) => m.ref));
  // ... and the same refs whether a file is split in memory or streamed.
  const streamedRefs = messages(await collect(dir, { withContent: false, smallFileBytes: 16 }));
  assert.deepEqual(streamedRefs.map((m) => m.ref), refs.map((m) => m.ref));
}));

test('a maildir tree: new/ and cur/ read, tmp/ skipped, Maildir++ subfolders followed', withTempDir(async (dir) => {
  const root = join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp', '.Sent/cur', '.Sent/new', '.Sent/tmp']) mkdirSync(join(root, sub), { recursive: true });
  const mail = (subject: string) => `From: a@example.com\nSubject: ${subject}\n\nbody\n`;
  writeFileSync(join(root, 'new', '1000.M1.host'), mail('unread'));
  writeFileSync(join(root, 'cur', '999.M1.host:2,S'), mail('read'));
  writeFileSync(join(root, 'tmp', '1001.M1.host'), mail('still being delivered'));
  writeFileSync(join(root, '.Sent', 'cur', '998.M1.host:2,S'), mail('sent'));
  const items = messages(await collect(root));
  const subjects = items.map((m) => /Subject: (.*)/.exec(m.raw.toString())![1]);
  assert.deepEqual(subjects, ['unread', 'read', 'sent']);
  assert.equal(items[0]!.id, join(root, 'new', '1000.M1.host'));
}));

test('a plain folder tree (Enron style "N." files) is walked recursively in natural order, non-mail files skipped', withTempDir(async (dir) => {
  mkdirSync(join(dir, 'inbox'));
  mkdirSync(join(dir, 'sent'));
  for (const n of [1, 2, 10]) writeFileSync(join(dir, 'inbox', `${n}.`), `Subject: inbox ${n}\r\n\r\nbody\r\n`);
  writeFileSync(join(dir, 'sent', '1.'), 'Subject: sent 1\n\nbody\n');
  writeFileSync(join(dir, 'README.md'), '# not mail\n');
  writeFileSync(join(dir, '.DS_Store'), 'junk');
  symlinkSync(join(dir, 'sent'), join(dir, 'link-to-sent'));
  const items = messages(await collect(dir));
  assert.deepEqual(items.map((m) => m.id.slice(dir.length + 1)), ['inbox/1.', 'inbox/2.', 'inbox/10.', 'sent/1.']);
  // A missing path is reported, not thrown.
  const missing = await collect(join(dir, 'nope'));
  assert.equal(missing.length, 1);
  assert.equal(missing[0]!.kind === 'error' && missing[0]!.code, 'E_NOT_FOUND');
  assert.equal((await analyzeMessage(missing[0]!)).ok, false);
  // Named pipes are never opened: inside a folder they are skipped, given by name they are an error.
  execFileSync('mkfifo', [join(dir, 'inbox', '3.')]);
  assert.deepEqual(messages(await collect(join(dir, 'inbox'))).map((m) => m.id.slice(dir.length + 1)), ['inbox/1.', 'inbox/2.', 'inbox/10.']);
  const pipe = await collect(join(dir, 'inbox', '3.'));
  assert.equal(pipe[0]!.kind === 'error' && pipe[0]!.code, 'E_NOT_FOUND');
}));

test('mbox reading is streaming: the first message arrives before later chunks are pulled', async () => {
  const message = (n: number) => `From m${n}@example.com  Mon May 14 09:00:00 2001\nSubject: ${n}\n\n${'line\n'.repeat(100)}\n`;
  const chunks = Array.from({ length: 100 }, (_, n) => Buffer.from(message(n)));
  let pulled = 0;
  async function* source() {
    for (const chunk of chunks) {
      pulled++;
      yield chunk;
    }
  }
  const reader = splitMbox(source(), 1 << 20);
  const first = await reader.next();
  assert.equal(first.done, false);
  assert.match(first.value!.raw.toString(), /^Subject: 0$/m);
  assert.ok(pulled <= 3, `pulled ${pulled} of 100 chunks for the first message`);
  await reader.return(undefined);
});
