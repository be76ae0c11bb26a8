import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { isKeelError } from '../../src/core/errors.js';
import { createWasmEngine } from '../../src/ocr/tesseract-wasm.js';
import { RESERVATION_WORDS, renderFixturePage } from './ocr-pages.js';

const whitePage = { width: 10, height: 10, pixels: new Uint8Array(100).fill(255) };

describe('tesseract.js (wasm) engine', () => {
  // This runs with fetch disabled inside the worker thread (tesseract-wasm-worker.ts): had tesseract.js
  // tried to download anything, start-up would have failed. One page only: it takes a few seconds.
  test('reads the oil and gas reservation off a noisy scanned page, offline', async () => {
    const engine = createWasmEngine();
    try {
      const result = await engine.recognize(renderFixturePage('deed-with-reservation.pdf', 2));
      for (const word of RESERVATION_WORDS) assert.match(result.text, word);
      assert.ok(result.quality > 0.7, `quality ${result.quality}`);
      assert.ok(result.meanConfidence !== undefined && result.meanConfidence > 70, `confidence ${result.meanConfidence}`);
      assert.ok(new Set(result.words.map((w) => w.block)).size > 1, 'the automatic layout finds several blocks');
      // The block layout (psm 6) is a per-page parameter: it must take effect, and not stick to the next page.
      const block = await engine.recognize(renderFixturePage('deed-with-reservation.pdf', 2), { layout: 'block' });
      assert.equal(new Set(block.words.map((w) => w.block)).size, 1);
      assert.match(block.text, /reserv/i);
      const again = await engine.recognize(renderFixturePage('deed-with-reservation.pdf', 2));
      assert.ok(new Set(again.words.map((w) => w.block)).size > 1, 'the next page is read with the automatic layout again');
    } finally {
      await engine.close();
    }
  });

  test('a network langPath is refused by the offline guard, quickly and without leaking the worker', async () => {
    const engine = createWasmEngine({ langPath: 'http://127.0.0.1:9/tessdata' });
    const started = Date.now();
    await assert.rejects(engine.recognize(whitePage), (error: unknown) => {
      assert.ok(isKeelError(error));
      assert.equal(error.code, 'E_OCR_UNAVAILABLE');
      assert.match(error.message, /offline.*tried to fetch http:\/\/127\.0\.0\.1:9\/tessdata\/eng\.traineddata/);
      return true;
    });
    assert.ok(Date.now() - started < 15_000);
    await engine.close();
    // If the failed worker thread were left alive, this test file would never exit.
  });

  test('missing language data is E_OCR_UNAVAILABLE', async () => {
    const engine = createWasmEngine({ langPath: join(tmpdir(), 'keel-no-such-tessdata') });
    await assert.rejects(engine.recognize(whitePage), (error: unknown) => isKeelError(error) && error.code === 'E_OCR_UNAVAILABLE');
    await engine.close();
  });
});
