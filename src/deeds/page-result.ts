/** What a worker returns for one page of a deed PDF: stored as the page's unit row. */
export interface DeedPageResult {
  /** 1-based. */
  page: number;
  text: string;
  textSource: 'text-layer' | 'ocr';
  /** 0..1: tesseract's word confidence and word-likeness for OCR; the text-layer score otherwise. */
  ocrQuality: number;
  /** Which OCR engine read it (undefined for a trusted text layer). */
  ocrEngine?: 'wasm' | 'native';
  /** True when the OCR text came from the cache. */
  cached: boolean;
  dpi?: number;
  /**
   * True when the page was read lighter (lower DPI, one reading): on a retry after its worker died, or
   * because the PDF reader's memory limit did not allow the usual resolution.
   */
  reducedReading?: boolean;
  /** Lines that a second, block-layout reading added because the first reading's layout missed them. */
  addedLines?: number;
  ms: number;
  /** mupdf warnings about this page (repairs, broken images). */
  warnings: string[];
}

/** A page that could not be read at all (its task failed): stored so the report can say so. */
export interface DeedPageFailure {
  page: number;
  error: { code: string; message: string };
}

export type StoredDeedPage = DeedPageResult | DeedPageFailure;

export function isPageFailure(page: StoredDeedPage): page is DeedPageFailure {
  return (page as DeedPageFailure).error !== undefined;
}
