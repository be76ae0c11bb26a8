import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ocrQuality } from '../../src/ocr/quality.js';
import { parseTesseractTsv, wordsToText } from '../../src/ocr/tsv.js';

// Shaped like `tesseract img stdout tsv`: a header, structural rows (conf -1) and word rows (level 5).
const TSV = [
  'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
  '1\t1\t0\t0\t0\t0\t0\t0\t2550\t3300\t-1\t',
  '2\t1\t1\t0\t0\t0\t300\t300\t1900\t200\t-1\t',
  '5\t1\t1\t1\t1\t1\t300\t300\t200\t40\t96.5\tEXCEPTING',
  '5\t1\t1\t1\t1\t2\t520\t300\t80\t40\t95.1\tAND',
  '5\t1\t1\t1\t2\t1\t300\t350\t60\t40\t91.0\tall',
  '5\t1\t1\t1\t2\t2\t370\t350\t40\t40\t90.2\tthe',
  '5\t1\t1\t1\t2\t3\t420\t350\t40\t40\t12.0\t ',
  '5\t1\t2\t1\t1\t1\t300\t500\t40\t40\t88.0\toil',
  '',
].join('\n');

test('parses word rows, skips the header, structure and empty words', () => {
  const words = parseTesseractTsv(TSV);
  assert.deepEqual(words.map((w) => w.text), ['EXCEPTING', 'AND', 'all', 'the', 'oil']);
  assert.deepEqual(words[0], { text: 'EXCEPTING', confidence: 96.5, block: 1, paragraph: 1, line: 1, left: 300, top: 300, width: 200, height: 40 });
});

test('rebuilds text with line breaks and blank lines between blocks', () => {
  assert.equal(wordsToText(parseTesseractTsv(TSV)), 'EXCEPTING AND\nall the\n\noil');
  assert.equal(wordsToText([]), '');
});

test('quality combines length-weighted confidence with the text score', () => {
  const words = parseTesseractTsv(TSV);
  const q = ocrQuality(words, wordsToText(words));
  const expected = (96.5 * 9 + 95.1 * 3 + 91.0 * 3 + 90.2 * 3 + 88.0 * 3) / 21;
  assert.equal(q.meanConfidence, Math.round(expected * 10) / 10);
  assert.ok(q.quality > 0.8 && q.quality <= 1, `quality ${q.quality}`);
  assert.deepEqual(ocrQuality([], ''), { quality: 0, meanConfidence: undefined, textScore: 0, words: 0 });
});
