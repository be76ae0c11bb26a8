import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeelError } from '../../src/core/errors.js';
import { createOcrEngine } from '../../src/ocr/select.js';
import { isNativeTesseractAvailable } from '../../src/ocr/tesseract-native.js';

const missing = { native: { binary: '/nonexistent/tesseract' } };

test("'native' without the binary is E_OCR_UNAVAILABLE, not a silent fallback", async () => {
  await assert.rejects(createOcrEngine('native', missing), (error: unknown) => {
    assert.ok(isKeelError(error));
    assert.equal(error.code, 'E_OCR_UNAVAILABLE');
    assert.match(error.message, /\/nonexistent\/tesseract/);
    return true;
  });
});

test("'auto' falls back to wasm without the binary, and prefers native when it is installed", async () => {
  const fallback = await createOcrEngine('auto', missing);
  assert.equal(fallback.name, 'wasm');
  await fallback.close();
  const auto = await createOcrEngine('auto');
  assert.equal(auto.name, (await isNativeTesseractAvailable()) ? 'native' : 'wasm');
  await auto.close();
  const wasm = await createOcrEngine('wasm');
  assert.equal(wasm.name, 'wasm');
  await wasm.close();
});

test('an unknown engine name is rejected', async () => {
  await assert.rejects(createOcrEngine('gpu' as never), (error: unknown) => isKeelError(error) && error.code === 'E_BAD_OPTION');
});
