import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPdf } from '../../src/pdf/page-source.js';
import { assessTextLayer, textStats } from '../../src/pdf/text-quality.js';
import { fixturePath } from '../fixtures/paths.js';

/** Real text from the born-digital fixture (read through the page source, not pasted here). */
function fixtureText(): string {
  const source = openPdf(fixturePath('text-layer.pdf'));
  try {
    return source.pageText(0) + '\n' + source.pageText(1);
  } finally {
    source.close();
  }
}

test('clean deed prose is trusted, with most words in the lexicon', () => {
  const verdict = assessTextLayer(fixtureText());
  assert.equal(verdict.trusted, true, verdict.reason);
  assert.ok(verdict.lexicalShare > 0.6, `lexical share ${verdict.lexicalShare}`);
  assert.ok(verdict.score > 0.9, `score ${verdict.score}`);
});

test('empty and stamp-only text layers are not trusted, and say why', () => {
  assert.deepEqual([assessTextLayer('').trusted, assessTextLayer('').reason], [false, 'no text layer']);
  assert.equal(assessTextLayer('  \n\n ').reason, 'no text layer');
  const stamp = assessTextLayer('Book: 253 Page Sequence: 223\n\n');
  assert.equal(stamp.trusted, false);
  assert.match(stamp.reason, /too short: 3 words/);
});

test('OCR garbage of any length is not trusted', () => {
  // The shape of what tesseract returns for a phone photo of a curved handwritten page.
  const garbage = Array.from({ length: 12 }, (_, i) =>
    `y NYY a | AINA " nn, VING OT Ae in, NM ARIONER nan ey y ~ ay Wy at ${i} Sn ae ee ae oe tHe IRTEL Noo gronb`,
  ).join('\n');
  const verdict = assessTextLayer(garbage);
  assert.ok(verdict.words >= 40);
  assert.equal(verdict.trusted, false);
  assert.match(verdict.reason, /looks like garbage/);
});

test('mojibake and symbol soup lower the printable share', () => {
  const prose = fixtureText();
  const mangled = prose.replace(/e/g, 'Ã©').replace(/ the /g, ' ¤¦¬ ');
  const clean = textStats(prose);
  const bad = textStats(mangled);
  assert.ok(clean.printableShare > 0.99);
  assert.ok(bad.printableShare < clean.printableShare - 0.05, `${bad.printableShare} vs ${clean.printableShare}`);
  assert.ok(bad.score < 0.6, `mangled score ${bad.score}`);
});

test('scores order real text above noisy text above garbage', () => {
  const prose = fixtureText();
  // Simulated OCR damage: every fourth word has letters swapped for look-alikes.
  const noisy = prose
    .split(' ')
    .map((w, i) => (i % 4 === 0 ? w.replace(/[aeo]/g, (c) => ({ a: '4', e: 'c', o: '0' })[c] ?? c) : w))
    .join(' ');
  const garbage = 'Qx zrk vvv pfft ll IIl |1| Mmnw hjk '.repeat(20);
  const [a, b, c] = [prose, noisy, garbage].map((t) => textStats(t).score);
  assert.ok(a! > b! && b! > c!, `expected ${a} > ${b} > ${c}`);
});

test('word-shaped text with too few real words is not trusted as a text layer', () => {
  // 3 real words in 10: shapes pass, the score passes, the dictionary share does not.
  const line = 'the tanaro velim and quosta derapin molet of brasko fendil ';
  const verdict = assessTextLayer(line.repeat(10));
  assert.ok(verdict.score >= 0.6, `score ${verdict.score}`);
  assert.equal(verdict.trusted, false);
  assert.match(verdict.reason, /too few dictionary words: 30%/);
});
