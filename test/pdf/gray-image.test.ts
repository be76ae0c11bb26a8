import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as mupdf from 'mupdf';
import { encodePgm } from '../../src/pdf/gray-image.js';

test('encodePgm writes a binary P5 file that a real decoder (mupdf) reads back pixel for pixel', () => {
  const width = 7;
  const height = 3;
  const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 37) % 256);
  const pgm = encodePgm({ width, height, pixels });
  assert.equal(new TextDecoder().decode(pgm.subarray(0, 11)), 'P5\n7 3\n255\n');
  assert.equal(pgm.length, 11 + width * height);

  const image = new mupdf.Image(pgm);
  const pixmap = image.toPixmap();
  assert.deepEqual([pixmap.getWidth(), pixmap.getHeight(), pixmap.getNumberOfComponents()], [width, height, 1]);
  assert.deepEqual(Array.from(pixmap.getPixels()), Array.from(pixels));
  pixmap.destroy();
  image.destroy();
});

test('encodePgm rejects a pixel buffer that does not match the size', () => {
  assert.throws(() => encodePgm({ width: 4, height: 4, pixels: new Uint8Array(15) }), /expected 4x4 = 16/);
  assert.throws(() => encodePgm({ width: 0, height: 4, pixels: new Uint8Array(0) }), RangeError);
});
