import type { GrayImage } from '../pdf/gray-image.js';
import type { OcrWord } from './tsv.js';

export type OcrEngineName = 'wasm' | 'native';

export interface OcrResult {
  /** Recognised text: words joined by spaces, lines by "\n", paragraphs by a blank line. */
  text: string;
  /** 0..1 page quality (see src/ocr/quality.ts): >= 0.75 readable, < 0.5 probably unreadable. */
  quality: number;
  /** Mean tesseract word confidence, 0..100 (character-weighted); undefined when no words were found. */
  meanConfidence?: number;
  /** The words read, with their boxes on the image (see src/ocr/missed-text.ts). */
  words: OcrWord[];
}

/**
 * How tesseract segments the page: `auto` finds columns and text blocks (its default, psm 3);
 * `block` reads the page as one uniform block of text (psm 6), which keeps lines that the automatic
 * layout drops on curved or skewed photos.
 */
export type OcrLayout = 'auto' | 'block';

/** tesseract's page segmentation mode for the `block` layout (both engines are tesseract). */
export const BLOCK_PSM = 6;

export interface RecognizeOptions {
  layout?: OcrLayout;
}

/**
 * An OCR engine behind one interface. Engines are stateful (a tesseract.js worker, or the path of a
 * binary) and handle one page at a time; `close()` frees whatever they hold.
 */
export interface OcrEngine {
  readonly name: OcrEngineName;
  recognize(image: GrayImage, options?: RecognizeOptions): Promise<OcrResult>;
  close(): Promise<void>;
}
