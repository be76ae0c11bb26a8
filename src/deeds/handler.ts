/**
 * The deed page worker: runs inside a pool worker process. It keeps one PDF open (the file being
 * scanned) and one OCR engine, and turns a page number into text: the page's own text layer when
 * it passes the quality check, else a 300-DPI gray render read by OCR (or the OCR cache).
 */
import { KeelError } from '../core/errors.js';
import { defineHandler } from '../core/pool/handler.js';
import { isReaderMemoryLimit, openPdf, type PageSource, type PdfLimits, type RenderedPage } from '../pdf/page-source.js';
import { assessTextLayer } from '../pdf/text-quality.js';
import type { OcrEngine, OcrEngineName } from '../ocr/engine.js';
import { MISSED_TEXT_SHARE, missedLines, missedTextShare } from '../ocr/missed-text.js';
import { OcrCache } from '../ocr/ocr-cache.js';
import { darkenFaintInk } from '../ocr/preprocess.js';
import { createOcrEngine, type OcrEngineChoice } from '../ocr/select.js';
import { isNativeTesseractAvailable } from '../ocr/tesseract-native.js';
import type { DeedPageResult } from './page-result.js';

/**
 * A first OCR reading below this quality (the "degraded" band of src/ocr/quality.ts) gets a reading
 * of the same render with its faint ink darkened; the better of the two is kept.
 */
const FAINT_INK_READING_BELOW = 0.75;
/** A reading still below this quality gets another at SECOND_READING_DPI. */
const SECOND_READING_BELOW = 0.6;
const SECOND_READING_DPI = 400;
/**
 * A page whose earlier attempt's worker died (most often killed over its memory limit while a large
 * page was read twice) is read again with less: the second attempt reads it once, at the usual DPI,
 * with no second or block reading; the third also at this DPI. (Before pages were drawn in bands,
 * a poor 241-DPI scan among the dev deeds took its worker past the CLI's 350 MB limit at its 400-DPI
 * second reading, twice in a 3-page scan, and kept only such a lighter reading; drawn in bands the
 * whole scan peaks at ~320 MB of tree RSS with every reading. A legal-size photo read at 200 DPI came
 * out as two words.) Such readings are not cached, so a run with more memory still gets the full one.
 */
const LIGHT_READING_DPI = 200;

/**
 * Pages are big (10-16 MB of pixels, copied a few times): collect them now rather than let the heap
 * and the allocator keep several pages' worth (only when the worker runs with --expose-gc).
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export interface DeedHandlerOptions {
  ocr: OcrEngineChoice;
  cacheDir: string | undefined;
  dpi: number;
  limits: PdfLimits;
}

export type DeedTask =
  | { kind: 'inspect'; path: string }
  | { kind: 'page'; path: string; fileHash: string; pageIndex: number };

export interface InspectResult {
  pageCount: number;
  wasRepaired: boolean;
  warnings: string[];
}

interface State {
  options: DeedHandlerOptions;
  engineName: OcrEngineName;
  engine: OcrEngine | undefined;
  cache: OcrCache | undefined;
  source: PageSource | undefined;
}

/** Keeps the last file open: pages of one scan arrive in a row; a new path closes the old one. */
function sourceFor(state: State, path: string): PageSource {
  if (state.source?.path !== path) {
    state.source?.close();
    state.source = undefined;
    state.source = openPdf(path, state.options.limits);
  }
  return state.source;
}

/**
 * The page rendered at `dpi`, or undefined when the PDF reader's memory limit does not allow that
 * resolution (a huge scan embedded in the page): the caller then reads it lighter rather than lose it.
 */
function renderWithinReaderMemory(source: PageSource, index: number, dpi: number): RenderedPage | undefined {
  try {
    return source.renderGray(index, dpi);
  } catch (error) {
    if (isReaderMemoryLimit(error)) return undefined;
    throw error;
  }
}

async function readPage(state: State, task: Extract<DeedTask, { kind: 'page' }>, attempt: number): Promise<DeedPageResult> {
  const started = Date.now();
  const source = sourceFor(state, task.path);
  const page = task.pageIndex + 1;
  if (task.pageIndex >= source.pageCount) throw new KeelError('E_NO_PAGES', `page ${page} is beyond the last page (${source.pageCount})`);
  const layer = source.pageText(task.pageIndex);
  const assessment = assessTextLayer(layer);
  if (assessment.trusted) {
    return { page, text: layer, textSource: 'text-layer', ocrQuality: assessment.score, cached: false, ms: Date.now() - started, warnings: source.takeWarnings() };
  }
  // The cache key names everything that changes the text: the engine and how the page is rendered
  // (r4: pages drawn in bands, whose pixels differ slightly from one whole draw, see page-source.ts;
  // r5: degraded pages also read with their faint ink darkened).
  const variant = `${state.engineName}-${state.options.dpi}dpi-${Math.round((state.options.limits.maxPixels ?? 40e6) / 1e6)}mpx-r5`;
  const cached = state.cache?.get(task.fileHash, page, variant);
  if (cached) {
    const added = cached.addedLines ? { addedLines: cached.addedLines } : {};
    return { page, text: cached.text, textSource: 'ocr', ocrQuality: cached.quality, ocrEngine: state.engineName, cached: true, dpi: cached.dpi, ...added, ms: Date.now() - started, warnings: [] };
  }
  state.engine ??= await createOcrEngine(state.engineName);
  const retried = attempt > 1;
  const wanted = attempt > 2 ? Math.min(state.options.dpi, LIGHT_READING_DPI) : state.options.dpi;
  // A page over the pixel cap comes back at a lower DPI by design (dpiClamped): that is its normal
  // reading, not a reduced one. Only the reader's memory limit lowers it, to LIGHT_READING_DPI.
  const full = wanted > LIGHT_READING_DPI ? renderWithinReaderMemory(source, task.pageIndex, wanted) : undefined;
  const lowered = wanted > LIGHT_READING_DPI && full === undefined;
  let image = full ?? source.renderGray(task.pageIndex, Math.min(wanted, LIGHT_READING_DPI));
  let ocr = await state.engine.recognize(image);
  collectGarbage();
  if (retried || lowered) {
    const why = retried
      ? `after ${attempt > 2 ? `${attempt - 1} earlier attempts' workers died` : "an earlier attempt's worker died"}, most likely over its memory limit`
      : `because rendering it at ${wanted} DPI needs more memory than the PDF reader may use`;
    const warning = `page ${page} read lighter (${image.dpi} DPI, one reading) ${why}`;
    return { page, text: ocr.text, textSource: 'ocr', ocrQuality: ocr.quality, ocrEngine: state.engineName, cached: false, dpi: image.dpi, reducedReading: true, ms: Date.now() - started, warnings: [...source.takeWarnings(), warning] };
  }
  if (ocr.quality < FAINT_INK_READING_BELOW) {
    const darkened = darkenFaintInk(image);
    const second = await state.engine.recognize(darkened);
    if (second.quality > ocr.quality) {
      ocr = second;
      image = darkened;
    }
    collectGarbage();
  }
  if (ocr.quality < SECOND_READING_BELOW && state.options.dpi < SECOND_READING_DPI) {
    // tesseract sometimes reads nothing, or little, from a page it reads well at another
    // resolution (on the dev deeds: empty at 300 DPI, quality 0.82-0.95 at 400). A poor first
    // reading gets a second one; the better of the two is kept. A page too big for the PDF reader's
    // memory at that resolution keeps its first reading.
    const retry = renderWithinReaderMemory(source, task.pageIndex, SECOND_READING_DPI);
    if (retry !== undefined && retry.dpi !== image.dpi) {
      const second = await state.engine.recognize(retry);
      if (second.quality > ocr.quality) {
        ocr = second;
        image = retry;
      }
    }
    collectGarbage();
  }
  let text = ocr.text;
  let addedLines = 0;
  if (missedTextShare(image, ocr.words).share >= MISSED_TEXT_SHARE) {
    // The page's quality is kept from the first reading: the added lines only add evidence.
    const block = await state.engine.recognize(image, { layout: 'block' });
    const lines = missedLines(ocr.words, block.words);
    if (lines.length > 0) {
      text = `${text}\n\n${lines.join('\n')}`;
      addedLines = lines.length;
    }
    collectGarbage();
  }
  const added = addedLines > 0 ? { addedLines } : {};
  state.cache?.put(task.fileHash, page, variant, { text, quality: ocr.quality, meanConfidence: ocr.meanConfidence, dpi: image.dpi, ...added });
  return { page, text, textSource: 'ocr', ocrQuality: ocr.quality, ocrEngine: state.engineName, cached: false, dpi: image.dpi, ...added, ms: Date.now() - started, warnings: source.takeWarnings() };
}

export default defineHandler<DeedHandlerOptions, State, DeedTask, DeedPageResult | InspectResult>({
  async init(options) {
    // Resolve "auto" now, so cache entries are keyed by the engine that will really read the page;
    // the engine itself starts on the first page that needs OCR (a fully cached file needs none).
    const engineName: OcrEngineName =
      options.ocr === 'auto' ? ((await isNativeTesseractAvailable()) ? 'native' : 'wasm') : options.ocr;
    if (options.ocr === 'native' && !(await isNativeTesseractAvailable())) {
      throw new KeelError('E_OCR_UNAVAILABLE', 'native OCR was requested but the tesseract binary is not installed');
    }
    return { options, engineName, engine: undefined, cache: options.cacheDir ? new OcrCache(options.cacheDir) : undefined, source: undefined };
  },
  async handle(task, state, context) {
    if (task.kind === 'inspect') {
      const source = sourceFor(state, task.path);
      return { pageCount: source.pageCount, wasRepaired: source.wasRepaired, warnings: source.takeWarnings() };
    }
    return readPage(state, task, context.attempt);
  },
  async close(state) {
    state.source?.close();
    await state.engine?.close();
  },
});
