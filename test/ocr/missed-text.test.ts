import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OcrEngine, OcrResult } from '../../src/ocr/engine.js';
import { MISSED_TEXT_SHARE, missedLines, missedTextShare } from '../../src/ocr/missed-text.js';
import { createNativeEngine, isNativeTesseractAvailable } from '../../src/ocr/tesseract-native.js';
import type { OcrWord } from '../../src/ocr/tsv.js';
import type { RenderedPage } from '../../src/pdf/page-source.js';
import { renderFixturePage } from './ocr-pages.js';

const available = await isNativeTesseractAvailable();
const skip = available ? false : 'the tesseract binary (with eng) is not installed';

function lineKey(word: OcrWord): string {
  return `${word.block}.${word.paragraph}.${word.line}`;
}

/** The words of `reading` without the lines that contain a word matching `pattern`: a reading that dropped them. */
function withoutLinesMatching(words: OcrWord[], pattern: RegExp): { kept: OcrWord[]; droppedLines: number } {
  const dropped = new Set(words.filter((w) => pattern.test(w.text)).map(lineKey));
  return { kept: words.filter((w) => !dropped.has(lineKey(w))), droppedLines: dropped.size };
}

describe('text left out by an OCR reading', { skip }, () => {
  let engine: OcrEngine;
  let page: RenderedPage;
  let auto: OcrResult;
  let block: OcrResult;

  before(async () => {
    engine = createNativeEngine();
    // A generated noisy scan of a deed page whose second paragraph reserves the oil and gas.
    page = renderFixturePage('deed-with-reservation.pdf', 2);
    auto = await engine.recognize(page);
    block = await engine.recognize(page, { layout: 'block' });
  });
  after(async () => {
    await engine?.close();
  });

  test('the block layout reads the page as one block of text, with word boxes', () => {
    assert.ok(new Set(auto.words.map((w) => w.block)).size > 1, 'the automatic layout finds several blocks on this page');
    assert.equal(new Set(block.words.map((w) => w.block)).size, 1);
    assert.match(block.text, /reserv/i);
    for (const word of block.words) {
      assert.ok(word.left >= 0 && word.top >= 0 && word.width > 0 && word.height > 0, JSON.stringify(word));
      assert.ok(word.left + word.width <= page.width && word.top + word.height <= page.height);
    }
  });

  test('a complete reading leaves no line unread', () => {
    const missed = missedTextShare(page, auto.words);
    assert.ok(missed.characterMarks > 500, `found ${missed.characterMarks} character marks on a page of text`);
    assert.ok(missed.share < MISSED_TEXT_SHARE / 2, `share ${missed.share}`);
    assert.deepEqual(missedLines(auto.words, block.words), []);
  });

  test('a reading that dropped the reservation lines is caught, and the second reading gives them back', () => {
    const { kept, droppedLines } = withoutLinesMatching(auto.words, /reserv|oil|gas/i);
    assert.ok(droppedLines >= 1 && kept.length < auto.words.length);
    const missed = missedTextShare(page, kept);
    assert.ok(missed.share >= MISSED_TEXT_SHARE, `share ${missed.share} with ${droppedLines} line(s) dropped`);

    const recovered = missedLines(kept, block.words);
    assert.ok(recovered.length >= 1, 'at least one line recovered');
    assert.ok(recovered.length <= droppedLines + 1, `recovered ${recovered.length} lines for ${droppedLines} dropped`);
    assert.match(recovered.join('\n'), /reserv/i);
  });

  test('a page with no words read has nothing to compare against', () => {
    const white = { width: 600, height: 800, pixels: new Uint8Array(600 * 800).fill(255), dpi: 100 };
    assert.deepEqual(missedTextShare(white, []), { share: 0, characterMarks: 0, missedMarks: 0 });
  });
});
