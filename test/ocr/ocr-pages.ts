import { openPdf, type RenderedPage } from '../../src/pdf/page-source.js';
import { fixturePath } from '../fixtures/paths.js';

/** Renders one page of a fixture at 300 DPI through the real page source (1-based page number). */
export function renderFixturePage(file: string, pageNumber: number, dpi = 300): RenderedPage {
  const source = openPdf(fixturePath(file));
  try {
    return source.renderGray(pageNumber - 1, dpi);
  } finally {
    source.close();
  }
}

/** The words a reservation page must yield, matched tolerantly (OCR may mangle case or punctuation). */
export const RESERVATION_WORDS = [/reserv/i, /\boil\b/i, /\bgas\b/i];
