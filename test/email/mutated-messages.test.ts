/**
 * Bad input, fuzz-style: the committed test messages with bytes cut, flipped, repeated or their MIME
 * punctuation mangled, plus pathological long runs of one character class. Every message must resolve
 * to a well-formed result or a coded failure, keep its id, and not stall the worker: wink's tokenizer
 * once took 14 s on one 40,000-character URL-like line (its regexes are quadratic in a token's length).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeMessage } from '../../src/email/analyze.js';
import { blankLongRunTails, readText } from '../../src/email/nlp.js';
import { assertWellFormed, fixture, fixturesDir } from './helpers.js';

const FIXTURES = readdirSync(fixturesDir).filter((name) => name.endsWith('.eml')).sort();
const FAILURE_CODES = new Set(['E_EMPTY_MESSAGE', 'E_UNPARSEABLE', 'E_TOO_LARGE', 'E_ANALYSIS_FAILED']);

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function mutate(original: Buffer, step: number, random: () => number): Buffer {
  const bytes = Buffer.from(original);
  switch (step % 5) {
    case 0:
      return bytes.subarray(0, Math.floor(random() * bytes.length));
    case 1:
      for (let k = 1 + Math.floor(random() * 30); k > 0; k--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      return bytes;
    case 2: {
      // A piece of the message repeated in place, up to ~40 KB: long lines, long headers, long tokens.
      const at = Math.floor(random() * bytes.length);
      const piece = bytes.subarray(at, at + 1 + Math.floor(random() * 40));
      return Buffer.concat([bytes.subarray(0, at), Buffer.alloc(Math.floor(random() * 1000) * piece.length, piece), bytes.subarray(at)]);
    }
    case 3:
      return Buffer.from(bytes.toString('latin1').replace(/[=;:<>"]/g, (c) => (random() < 0.1 ? ['', '==', ';;', '<<<', '"'][Math.floor(random() * 5)]! : c)), 'latin1');
    default:
      return Buffer.from(bytes.toString('latin1').replace(/boundary="?([^"\s;]+)"?/i, () => `boundary="${'x'.repeat(Math.floor(random() * 5000))}"`), 'latin1');
  }
}

test('600 mutated messages: each gives a well-formed result or a coded failure, under its own id', async () => {
  const random = seeded(7);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 600; i++) {
    const name = FIXTURES[i % FIXTURES.length]!;
    const id = `${name}#${i}`;
    const result = await analyzeMessage({ id, raw: mutate(fixture(name), Math.floor(i / FIXTURES.length), random) });
    assert.equal(result.id, id);
    if (result.ok) assertWellFormed(result);
    else assert.ok(FAILURE_CODES.has(result.code), `${id}: ${result.code} ${result.message}`);
    const key = result.ok ? 'ok' : result.code;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  assert.ok((outcomes.get('ok') ?? 0) > 500, JSON.stringify([...outcomes]));
});

test('wink reads at most 1,024 characters of a run; offsets and the text around it are kept', async () => {
  const run = 'QUJD'.repeat(12_000); // 48,000 characters of base64, one line
  const blanked = blankLongRunTails(`see ${run} now`);
  assert.equal(blanked.length, run.length + 8);
  assert.equal(blanked.slice(0, 4 + 1024), `see ${run.slice(0, 1024)}`);
  assert.match(blanked.slice(4 + 1024), /^ +now$/);
  const short = `a ${'x'.repeat(1024)} b`;
  assert.equal(blankLongRunTails(short), short, 'a run of 1,024 characters is read whole');
  // Every token sits where its text is, after the blob too, even when the blob holds the same letters.
  const echo = `to ${'to'.repeat(20_000)} to a to bob@example.org now.`;
  const doc = readText(echo);
  for (const token of doc.tokens) assert.equal(echo.slice(token.start, token.end), token.value);
  assert.equal(doc.tokens.at(-1)!.start, echo.length - 1);

  // The analysis around such a blob still works, with offsets into the full text.
  const raw = Buffer.from(
    'From: Jane Smith <jane@acme.example>\nSubject: Key\nDate: Mon, 14 May 2001 17:37:00 -0700\n\n' +
      `Here is the key:\n${run}\nPlease send it to bob@example.org by Friday.\n`,
  );
  const result = await analyzeMessage({ id: 'blob', raw });
  assert.ok(result.ok);
  assertWellFormed(result);
  const email = result.entities.find((e) => e.type === 'EMAIL');
  assert.equal(email?.text, 'bob@example.org');
  assert.equal(result.text.analyzed.slice(email!.start, email!.end), 'bob@example.org');
  assert.equal(result.deadlines[0]?.date, '2001-05-18');
});

test('long runs of any character class do not stall the analysis', async () => {
  // A guard against quadratic work, with a wide margin: before the fix the URL-like run alone took
  // ~14 s and the base64 one ~8 s on this machine; each now takes well under 0.1 s.
  const runs = ['http://' + 'a'.repeat(40_000), 'QUJD'.repeat(10_000), 'a.'.repeat(20_000), '!?'.repeat(20_000), 'ab/'.repeat(13_000)];
  const started = performance.now();
  for (const [i, run] of runs.entries()) {
    const result = await analyzeMessage({ id: `run${i}`, raw: Buffer.from(`From: a@example.com\nSubject: s\n\nHello.\n${run}\nBye.\n`) });
    assert.ok(result.ok);
  }
  assert.ok(performance.now() - started < 10_000, `${Math.round(performance.now() - started)} ms for five 40,000-character runs`);
});
