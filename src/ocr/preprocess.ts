import type { GrayImage } from '../pdf/gray-image.js';

/**
 * Rescues dark, low-contrast page photos before OCR. On such a page (real example: a phone photo of
 * a deed book, paper at gray 115, ink at 20-75, framed by white page margins) tesseract's global
 * threshold makes the whole sheet black and returns no words at all; stretched so that ink goes to 0
 * and paper to 255, the same page reads normally.
 *
 * Only pages whose median pixel is darker than `DARK_MEDIAN` are touched: a normal scan has a median
 * near white (it is mostly paper), so it is returned as is. The paper level is the 90th percentile
 * of pixels below pure white (so white margins around a photo do not count as paper), the ink level
 * the 2nd percentile.
 */
const DARK_MEDIAN = 160;
const NEAR_WHITE = 250;

export function normalizeContrast(image: GrayImage): GrayImage {
  const { pixels } = image;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < pixels.length; i++) histogram[pixels[i]!]! += 1;
  if (percentile(histogram, pixels.length, 0.5, 256) >= DARK_MEDIAN) return image;

  let belowWhite = 0;
  for (let v = 0; v < NEAR_WHITE; v++) belowWhite += histogram[v]!;
  if (belowWhite === 0) return image;
  const paper = percentile(histogram, belowWhite, 0.9, NEAR_WHITE);
  const ink = percentile(histogram, belowWhite, 0.02, NEAR_WHITE);
  if (paper - ink < 16) return image; // nothing that looks like ink on paper

  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.max(0, Math.min(255, Math.round(((v - ink) * 255) / (paper - ink))));
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = table[pixels[i]!]!;
  return { ...image, pixels: out };
}

/** Smallest value v < limit such that the count of pixels <= v reaches q * total. */
function percentile(histogram: Uint32Array, total: number, q: number, limit: number): number {
  const target = q * total;
  let seen = 0;
  for (let v = 0; v < limit; v++) {
    seen += histogram[v]!;
    if (seen >= target) return v;
  }
  return limit - 1;
}
