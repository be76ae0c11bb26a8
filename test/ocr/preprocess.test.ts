import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { openPdf, type RenderedPage } from '../../src/pdf/page-source.js';
import { isNativeTesseractAvailable, createNativeEngine } from '../../src/ocr/tesseract-native.js';
import { darkenFaintInk, normalizeContrast } from '../../src/ocr/preprocess.js';
import { textStats } from '../../src/pdf/text-quality.js';
import { requireShared } from '../helpers/shared.js';
import { renderFixturePage } from './ocr-pages.js';

function median(pixels: Uint8Array): number {
  const histogram = new Array<number>(256).fill(0);
  for (const v of pixels) histogram[v]! += 1;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    if (seen * 2 >= pixels.length) return v;
  }
  return 255;
}

/**
 * A page of a real photographed deed in ../shared (page 1 a dark photo, page 2 a faint one), rendered at
 * 300 DPI; undefined (the test skipped) without the tesseract binary or the shared data.
 */
async function alleghenyPage(t: TestContext, index: number): Promise<RenderedPage | undefined> {
  if (!(await isNativeTesseractAvailable())) {
    t.skip('the tesseract binary is not installed');
    return undefined;
  }
  const path = requireShared(t, 'deeds/dev/no-reservs/Allegheny DB 41_66.pdf');
  if (!path) return undefined;
  const source = openPdf(path);
  try {
    return source.renderGray(index);
  } finally {
    source.close();
  }
}

test('a normal scan is left untouched (same object)', () => {
  const page = renderFixturePage('deed-with-reservation.pdf', 2, 72);
  assert.equal(normalizeContrast(page), page);
});

test('a dark, low-contrast photo with white margins is stretched: paper to white, ink to black', () => {
  const page = renderFixturePage('deed-with-reservation.pdf', 2, 72);
  // Simulate a phone photo: paper at ~120, ink at ~20, inside a white frame.
  const dark = page.pixels.map((v) => Math.round(20 + (v * 100) / 255));
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      if (x < 40 || y < 40 || x >= page.width - 40 || y >= page.height - 40) dark[y * page.width + x] = 255;
    }
  }
  const out = normalizeContrast({ ...page, pixels: dark });
  assert.notEqual(out.pixels, dark);
  const inner = out.pixels.filter((_, i) => {
    const x = i % page.width;
    const y = Math.floor(i / page.width);
    return x >= 40 && y >= 40 && x < page.width - 40 && y < page.height - 40;
  });
  assert.ok(median(inner) >= 245, `paper median ${median(inner)}`);
  // The ink keeps the same pixels dark as in the clean original.
  let agree = 0;
  for (let i = 0; i < page.pixels.length; i++) if ((page.pixels[i]! < 128) === (out.pixels[i]! < 128)) agree += 1;
  assert.ok(agree / page.pixels.length > 0.97, `agreement ${agree / page.pixels.length}`);
});

test('on the real dark photo in the deed set, OCR finds text once contrast is normalised', async (t) => {
  const page = await alleghenyPage(t, 0);
  if (!page) return;
  assert.ok(median(page.pixels) < 160, 'this page is the dark photo the normalisation exists for');
  const engine = createNativeEngine();
  try {
    const result = await engine.recognize(page);
    const stats = textStats(result.text);
    assert.ok(stats.words > 100, `only ${stats.words} words`);
    assert.match(result.text, /County/);
    assert.ok(result.quality > 0.6, `quality ${result.quality}`);
  } finally {
    await engine.close();
  }
});

test('darkening faint ink keeps black and white, darkens the mid-tones, and leaves the input as it was', () => {
  const pixels = Uint8Array.from({ length: 256 }, (_, v) => v);
  const image = { width: 16, height: 16, pixels, dpi: 300 };
  const out = darkenFaintInk(image);
  assert.notEqual(out.pixels, pixels);
  assert.deepEqual(pixels, Uint8Array.from({ length: 256 }, (_, v) => v));
  assert.equal(out.dpi, 300);
  assert.equal(out.pixels[0], 0);
  assert.equal(out.pixels[255], 255);
  assert.equal(out.pixels[128], 64);
  for (let v = 1; v < 255; v++) {
    assert.ok(out.pixels[v]! <= v, `gray ${v} became lighter (${out.pixels[v]})`);
    assert.ok(out.pixels[v]! >= out.pixels[v - 1]!, `not monotonic at ${v}`);
  }
});

test('on a real faint photographed page, the darkened reading recovers text the plain reading loses', async (t) => {
  const page = await alleghenyPage(t, 1);
  if (!page) return;
  // Both readings go through the engine's own contrast normalisation: what differs is the darkening.
  const engine = createNativeEngine();
  try {
    const plain = await engine.recognize(page);
    const darkened = await engine.recognize(darkenFaintInk(page));
    assert.ok(plain.quality < 0.5, `plain reading quality ${plain.quality}`);
    assert.ok(darkened.quality > 0.75, `darkened reading quality ${darkened.quality}`);
    assert.ok(textStats(darkened.text).words > 2 * textStats(plain.text).words, 'the darkened reading finds many more words');
    assert.match(darkened.text, /Virginia/);
  } finally {
    await engine.close();
  }
});
