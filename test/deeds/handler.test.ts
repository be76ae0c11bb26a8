import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEED_RENDER_MAX_PIXELS } from '../../src/deeds/pipeline.js';
import handler, { type DeedHandlerOptions } from '../../src/deeds/handler.js';
import type { DeedPageResult } from '../../src/deeds/page-result.js';
import { isNativeTesseractAvailable } from '../../src/ocr/tesseract-native.js';
import { fixturePath } from '../fixtures/paths.js';
import { requireShared } from '../helpers/shared.js';

const options: DeedHandlerOptions = { ocr: 'native', cacheDir: undefined, dpi: 300, limits: { maxPixels: DEED_RENDER_MAX_PIXELS } };

test('a page retried after its worker died is read lighter, step by step, and the result says so', async (t) => {
  if (!(await isNativeTesseractAvailable())) return t.skip('the tesseract binary is not installed');
  const state = await handler.init!(options);
  try {
    const task = { kind: 'page' as const, path: fixturePath('deed-with-reservation.pdf'), fileHash: 'test', pageIndex: 1 };
    const context = (attempt: number) => ({ attempt, heartbeat: () => undefined });
    const first = (await handler.handle(task, state, context(1))) as DeedPageResult;
    const retry = (await handler.handle(task, state, context(2))) as DeedPageResult;
    const lastTry = (await handler.handle(task, state, context(3))) as DeedPageResult;

    assert.equal(first.dpi, 300);
    assert.equal(first.reducedReading, undefined);
    // The second attempt keeps the resolution and drops the extra readings; the third also lowers the DPI.
    assert.equal(retry.dpi, 300);
    assert.equal(retry.addedLines, undefined);
    assert.equal(lastTry.dpi, 200, 'the last attempt renders at a lower resolution');
    for (const reduced of [retry, lastTry]) {
      assert.equal(reduced.reducedReading, true);
      assert.ok(reduced.warnings.some((w) => w.includes('read lighter')), 'the page carries a warning');
      // The lighter readings still read the deed's reservation clause.
      assert.match(reduced.text.toLowerCase().replace(/\s+/g, ' '), /oil.{0,40}gas/);
    }
  } finally {
    await handler.close!(state);
  }
});

test('a degraded page is read again with its faint ink darkened, and the better reading is kept', async (t) => {
  if (!(await isNativeTesseractAvailable())) return t.skip('the tesseract binary is not installed');
  // A faint photographed page of a real deed: its plain reading scores 0.25 (test/ocr/preprocess.test.ts).
  const path = requireShared(t, 'deeds/dev/no-reservs/Allegheny DB 41_66.pdf');
  if (!path) return;
  const state = await handler.init!(options);
  try {
    const task = { kind: 'page' as const, path, fileHash: 'test', pageIndex: 1 };
    const page = (await handler.handle(task, state, { attempt: 1, heartbeat: () => undefined })) as DeedPageResult;
    assert.equal(page.textSource, 'ocr');
    assert.ok(page.ocrQuality > 0.75, `quality ${page.ocrQuality}`);
    assert.match(page.text, /Virginia/);
    assert.equal(page.dpi, 300, 'the darkened reading was good enough: no reading at a higher resolution');
  } finally {
    await handler.close!(state);
  }
});
