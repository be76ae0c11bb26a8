import { textStats } from '../pdf/text-quality.js';
import type { OcrWord } from './tsv.js';

/**
 * Per-page OCR quality, 0..1, from two independent signals:
 * - tesseract's own word confidences (0..100), averaged with each word weighted by its length so
 *   that stray one-character marks do not dominate;
 * - the text score of src/pdf/text-quality.ts (share of real/deed words, word-shaped tokens and
 *   ordinary characters), which catches confident nonsense on noisy scans.
 * quality = 0.5 * meanConfidence / 100 + 0.5 * textScore; a page with no words scores 0.
 *
 * Measured on the 140 pages of the real dev deed set (native tesseract, 300 DPI): median 0.93, 10th
 * percentile 0.71; handwritten pages 0.18-0.32, a blurred phone photo 0.42, partly legible pages
 * 0.63-0.70. So: >= 0.75 readable; 0.5-0.75 degraded (clauses may be garbled); < 0.5 unreadable,
 * worth flagging for a person.
 */
export interface OcrQuality {
  quality: number;
  meanConfidence: number | undefined;
  textScore: number;
  words: number;
}

export function ocrQuality(words: OcrWord[], text: string): OcrQuality {
  let weighted = 0;
  let weight = 0;
  for (const word of words) {
    const chars = word.text.replace(/[^\p{L}\p{N}]/gu, '').length;
    if (chars === 0) continue;
    weighted += word.confidence * chars;
    weight += chars;
  }
  const meanConfidence = weight === 0 ? undefined : weighted / weight;
  const stats = textStats(text);
  const quality = meanConfidence === undefined ? 0 : 0.5 * (meanConfidence / 100) + 0.5 * stats.score;
  return {
    quality: Math.round(quality * 1000) / 1000,
    meanConfidence: meanConfidence === undefined ? undefined : Math.round(meanConfidence * 10) / 10,
    textScore: stats.score,
    words: stats.words,
  };
}
