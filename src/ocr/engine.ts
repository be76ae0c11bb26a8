import type { GrayImage } from '../pdf/gray-image.js';

export type OcrEngineName = 'wasm' | 'native';

export interface OcrResult {
  /** Recognised text: words joined by spaces, lines by "\n", paragraphs by a blank line. */
  text: string;
  /** 0..1 page quality (see src/ocr/quality.ts): >= 0.75 readable, < 0.5 probably unreadable. */
  quality: number;
  /** Mean tesseract word confidence, 0..100 (character-weighted); undefined when no words were found. */
  meanConfidence?: number;
}

/**
 * An OCR engine behind one interface. Engines are stateful (a tesseract.js worker, or the path of a
 * binary) and handle one page at a time; `close()` frees whatever they hold.
 */
export interface OcrEngine {
  readonly name: OcrEngineName;
  recognize(image: GrayImage): Promise<OcrResult>;
  close(): Promise<void>;
}
