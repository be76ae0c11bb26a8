import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isKeelError } from '../../src/core/errors.js';
import { createNativeEngine, isNativeTesseractAvailable } from '../../src/ocr/tesseract-native.js';
import { RESERVATION_WORDS, renderFixturePage } from './ocr-pages.js';

const available = await isNativeTesseractAvailable();
const skip = available ? false : 'the tesseract binary (with eng) is not installed';

/** Names of the live child processes of this test process. */
function childNames(): string[] {
  if (!existsSync(`/proc/${process.pid}/task`)) return [];
  const names: string[] = [];
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    for (const pid of readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').split(/\s+/).filter(Boolean)) {
      try {
        names.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      } catch {
        // exited in between
      }
    }
  }
  return names;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isKeelError(error), `expected a KeelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('native tesseract engine', { skip }, () => {
  test('reads the oil and gas reservation off a noisy scanned page', async () => {
    const engine = createNativeEngine();
    try {
      const result = await engine.recognize(renderFixturePage('deed-with-reservation.pdf', 2));
      for (const word of RESERVATION_WORDS) assert.match(result.text, word);
      assert.match(result.text, /EXCEPTING AND RESERVING/i);
      assert.ok(result.quality > 0.7, `quality ${result.quality}`);
      assert.ok(result.meanConfidence !== undefined && result.meanConfidence > 70, `confidence ${result.meanConfidence}`);
    } finally {
      await engine.close();
    }
  });

  test('a coal-only page reads as coal with no oil or gas, and a blank page gives nothing', async () => {
    const engine = createNativeEngine();
    try {
      const coal = await engine.recognize(renderFixturePage('deed-without-reservation.pdf', 2));
      assert.match(coal.text, /all the coal/i);
      assert.doesNotMatch(coal.text, /\boil\b|\bgas\b/i);
      const blank = await engine.recognize({ width: 850, height: 1100, pixels: new Uint8Array(850 * 1100).fill(255), dpi: 100 });
      assert.deepEqual(blank, { text: '', quality: 0, words: [] });
    } finally {
      await engine.close();
    }
  });

  test('a page over the time limit is killed and reported as E_OCR_TIMEOUT', async () => {
    const engine = createNativeEngine({ timeoutMs: 50 });
    await rejectsWith(engine.recognize(renderFixturePage('deed-with-reservation.pdf', 1)), 'E_OCR_TIMEOUT');
    await engine.close();
    assert.ok(!childNames().includes('tesseract'), 'the timed-out tesseract must not be left running');
  });

  test('a missing binary is E_OCR_UNAVAILABLE and a failing one is E_OCR_FAILED', async () => {
    assert.equal(await isNativeTesseractAvailable('/nonexistent/tesseract'), false);
    const page = { width: 10, height: 10, pixels: new Uint8Array(100).fill(255) };
    await rejectsWith(createNativeEngine({ binary: '/nonexistent/tesseract' }).recognize(page), 'E_OCR_UNAVAILABLE');
    await rejectsWith(createNativeEngine({ binary: '/bin/false' }).recognize(page), 'E_OCR_FAILED');
  });
});
