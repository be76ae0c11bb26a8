// mupdf-runtime must be evaluated before mupdf so that the WASM heap size can be observed.
import { MUPDF_HEAP_LIMIT_BYTES, mupdfHeapBytes, takeRefusedHeapGrowth } from './mupdf-runtime.js';
import * as mupdf from 'mupdf';
import { fstatSync, openSync, readSync, closeSync } from 'node:fs';
import { KeelError } from '../core/errors.js';
import { FdStreamHandle } from './fd-stream.js';
import type { GrayImage } from './gray-image.js';

export { mupdfHeapBytes };

/**
 * Limits applied by `openPdf`. Pages larger than `maxPageInches` on a side are refused (E_TOO_LARGE);
 * pages that fit but whose render would exceed `maxPixels` are rendered at a lower DPI instead, so a
 * 24x36-inch plat still gets OCR'd while a 14400-inch MediaBox (a broken or hostile file) does not
 * ask for a multi-terapixel pixmap.
 */
export interface PdfLimits {
  /** Refuse files larger than this many bytes (E_TOO_LARGE). Default: no limit (the file is streamed). */
  maxFileBytes?: number;
  /** Refuse documents with more pages than this (E_TOO_LARGE). Default: no limit. */
  maxPages?: number;
  /** Refuse to render a page wider or taller than this many inches (E_TOO_LARGE). Default 200. */
  maxPageInches?: number;
  /** Largest pixmap (width x height) a render may produce; DPI is lowered to fit. Default 40e6 (40 MB gray). */
  maxPixels?: number;
}

export const DEFAULT_MAX_PAGE_INCHES = 200;
export const DEFAULT_MAX_PIXELS = 40_000_000;
export const DEFAULT_RENDER_DPI = 300;

export interface PageSize {
  /** Size after the page's /Rotate is applied, in PDF points (1/72 inch). */
  widthPt: number;
  heightPt: number;
}

export interface RenderedPage extends GrayImage {
  /** The DPI actually used: the requested one, or lower when the page would exceed `maxPixels`. */
  dpi: number;
  /** True when the DPI was lowered to respect `maxPixels`. */
  dpiClamped: boolean;
}

/** A PDF opened for page-by-page work. Page indexes are 0-based. Not safe for concurrent use. */
export interface PageSource {
  readonly path: string;
  readonly pageCount: number;
  /** True when mupdf had to rebuild a broken xref (the file is damaged but still readable). May turn true after a page loads. */
  readonly wasRepaired: boolean;
  pageSize(index: number): PageSize;
  /** The page's embedded text layer ('' for a scanned page). Check it with `assessTextLayer` before trusting it. */
  pageText(index: number): string;
  /** Renders the page to 8-bit gray at `dpi` (default 300), lowered if needed to respect `maxPixels`. */
  renderGray(index: number, dpi?: number): RenderedPage;
  /** mupdf warnings (e.g. repairs, broken images) collected since the last call; at most 50 are kept. */
  takeWarnings(): string[];
  close(): void;
}

const MAX_KEPT_WARNINGS = 50;
const HEADER_WINDOW = 1024; // the PDF spec lets "%PDF-" appear anywhere in the first 1024 bytes

/**
 * mupdf's log is process-wide; all of its calls are synchronous, so the warnings of one call can be
 * routed to the page source that made it by swapping a sink around the call.
 */
let activeSink: string[] | undefined;
mupdf.setLog({
  warning: (message: string) => collect('warning: ' + message),
  error: (message: string) => collect('error: ' + message),
});
function collect(message: string): void {
  // mupdf folds repeats into a later "... repeated N times..." line, which may arrive during another call.
  if (message.includes('... repeated ')) return;
  if (activeSink && activeSink.length < MAX_KEPT_WARNINGS) activeSink.push(message);
}

/** Whether `error` is a page source's refusal to let mupdf's heap grow past MUPDF_HEAP_LIMIT_BYTES. */
export function isReaderMemoryLimit(error: unknown): boolean {
  return error instanceof KeelError && error.code === 'E_TOO_LARGE' && error.details?.heapLimitBytes !== undefined;
}

/**
 * Opens a PDF through a mupdf Stream over a file descriptor: bytes are read on demand, so memory does
 * not grow with file size. Throws KeelError: E_NOT_FOUND, E_NOT_PDF, E_ENCRYPTED, E_DAMAGED,
 * E_NO_PAGES, E_TOO_LARGE, E_IO. Page calls can throw E_DAMAGED (page lost or unreadable),
 * E_TOO_LARGE (renderGray on an absurd page; any call that needs more than MUPDF_HEAP_LIMIT_BYTES),
 * E_OUT_OF_MEMORY and E_IO.
 */
export function openPdf(path: string, limits: PdfLimits = {}): PageSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeelError('E_NOT_FOUND', `no such file: ${path}`, { cause: error });
    throw new KeelError('E_IO', `cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  let size: number;
  try {
    const stat = fstatSync(fd);
    size = stat.size;
    if (!stat.isFile()) throw new KeelError('E_NOT_PDF', `${path} is not a regular file`);
    if (size === 0) throw new KeelError('E_NOT_PDF', `${path} is empty (0 bytes), not a PDF`);
    if (limits.maxFileBytes !== undefined && size > limits.maxFileBytes) {
      throw new KeelError('E_TOO_LARGE', `${path} is ${size} bytes, over the limit of ${limits.maxFileBytes}`, {
        details: { bytes: size, maxFileBytes: limits.maxFileBytes },
      });
    }
    checkPdfHeader(fd, size, path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  // From here the handle owns the fd; the page source closes it on failure or close().
  return new MupdfPageSource(path, new FdStreamHandle(fd, size), limits);
}

function checkPdfHeader(fd: number, size: number, path: string): void {
  const head = new Uint8Array(Math.min(size, HEADER_WINDOW));
  readSync(fd, head, 0, head.length, 0);
  const text = new TextDecoder('latin1').decode(head);
  if (text.includes('%PDF-')) return;
  const kind = sniffKind(head);
  throw new KeelError('E_NOT_PDF', `${path} is not a PDF${kind ? ` (it looks like ${kind})` : ''}: no "%PDF-" header`, {
    details: kind ? { looksLike: kind } : undefined,
  });
}

function sniffKind(head: Uint8Array): string | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'a TIFF image';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a ZIP archive (e.g. a .docx)';
  const text = new TextDecoder('latin1').decode(head.subarray(0, 256)).trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'an HTML page';
  return undefined;
}

class MupdfPageSource implements PageSource {
  readonly pageCount: number;
  private doc: mupdf.Document | undefined;
  private readonly warnings: string[] = [];
  private readonly maxPageInches: number;
  private readonly maxPixels: number;

  constructor(
    readonly path: string,
    private readonly handle: FdStreamHandle,
    limits: PdfLimits,
  ) {
    this.maxPageInches = limits.maxPageInches ?? DEFAULT_MAX_PAGE_INCHES;
    this.maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
    try {
      const doc = this.call('open', () => {
        const stream = new mupdf.Stream(handle);
        try {
          return mupdf.Document.openDocument(stream, 'application/pdf');
        } finally {
          stream.destroy(); // the document holds its own reference
        }
      });
      this.doc = doc;
      if (this.call('open', () => doc.needsPassword())) {
        throw new KeelError('E_ENCRYPTED', `${path} is encrypted and needs a password`);
      }
      this.pageCount = this.call('open', () => doc.countPages());
      if (this.pageCount === 0) {
        if (this.wasRepaired) throw new KeelError('E_DAMAGED', `${path} is damaged: no pages could be recovered`);
        throw new KeelError('E_NO_PAGES', `${path} is a PDF with no pages`);
      }
      if (limits.maxPages !== undefined && this.pageCount > limits.maxPages) {
        throw new KeelError('E_TOO_LARGE', `${path} has ${this.pageCount} pages, over the limit of ${limits.maxPages}`, {
          details: { pages: this.pageCount, maxPages: limits.maxPages },
        });
      }
      // Loading the first page now turns a file whose page tree is gone into E_DAMAGED at open time.
      this.withPage(0, () => undefined);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  get wasRepaired(): boolean {
    const pdf = this.doc?.asPDF();
    return pdf ? pdf.wasRepaired() : false;
  }

  pageSize(index: number): PageSize {
    return this.withPage(index, (page) => {
      const [x0, y0, x1, y1] = page.getBounds();
      return { widthPt: x1 - x0, heightPt: y1 - y0 };
    });
  }

  pageText(index: number): string {
    return this.withPage(index, (page) => {
      const stext = page.toStructuredText('');
      try {
        return stext.asText();
      } finally {
        stext.destroy();
      }
    });
  }

  renderGray(index: number, dpi = DEFAULT_RENDER_DPI): RenderedPage {
    if (!Number.isFinite(dpi) || dpi <= 0 || dpi > 1200) throw new RangeError(`dpi must be in (0, 1200], got ${dpi}`);
    return this.withPage(index, (page) => {
      const [x0, y0, x1, y1] = page.getBounds();
      const widthIn = (x1 - x0) / 72;
      const heightIn = (y1 - y0) / 72;
      if (!(widthIn > 0 && heightIn > 0)) {
        throw new KeelError('E_DAMAGED', `page ${index + 1} of ${this.path} has an empty or invalid page box`, { details: { page: index + 1 } });
      }
      if (widthIn > this.maxPageInches || heightIn > this.maxPageInches) {
        throw new KeelError(
          'E_TOO_LARGE',
          `page ${index + 1} of ${this.path} is ${fmt(widthIn)} x ${fmt(heightIn)} inches, over the limit of ${this.maxPageInches} inches a side`,
          { details: { page: index + 1, widthIn, heightIn, maxPageInches: this.maxPageInches } },
        );
      }
      let used = dpi;
      const pixelsAt = (d: number) => Math.ceil((widthIn * d) + 1) * Math.ceil((heightIn * d) + 1);
      if (pixelsAt(used) > this.maxPixels) {
        used = Math.floor(dpi * Math.sqrt(this.maxPixels / pixelsAt(dpi)));
        while (used > 1 && pixelsAt(used) > this.maxPixels) used -= 1;
      }
      const scale = used / 72;
      return { ...renderInBands(page, mupdf.Matrix.scale(scale, scale)), dpi: used, dpiClamped: used !== dpi };
    });
  }

  takeWarnings(): string[] {
    return this.warnings.splice(0, this.warnings.length);
  }

  close(): void {
    const doc = this.doc;
    this.doc = undefined;
    if (doc) {
      try {
        doc.destroy();
      } catch {
        // Destroying a half-opened document can fail; the fd is closed below either way.
      }
      mupdf.emptyStore();
    }
    this.handle.close();
  }

  /** Loads page `index`, runs `fn`, then frees the page and empties mupdf's cache so memory stays flat. */
  private withPage<T>(index: number, fn: (page: mupdf.Page) => T): T {
    const doc = this.doc;
    if (!doc) throw new Error(`page source for ${this.path} is closed`);
    if (!Number.isInteger(index) || index < 0 || index >= this.pageCount) {
      throw new RangeError(`page index ${index} out of range 0..${this.pageCount - 1}`);
    }
    return this.call(`page ${index + 1}`, () => {
      const page = doc.loadPage(index);
      try {
        assertPageExists(page, index, this.path);
        return fn(page);
      } finally {
        page.destroy();
        mupdf.emptyStore();
      }
    });
  }

  /** Runs a mupdf call with warnings routed to this source, and turns mupdf/IO failures into KeelErrors. */
  private call<T>(what: string, fn: () => T): T {
    const previous = activeSink;
    activeSink = this.warnings;
    takeRefusedHeapGrowth();
    try {
      const result = fn();
      this.throwIfIoError();
      return result;
    } catch (error) {
      this.throwIfIoError();
      if (error instanceof KeelError || error instanceof RangeError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (takeRefusedHeapGrowth()) {
        const limitMb = MUPDF_HEAP_LIMIT_BYTES / 1024 ** 2;
        throw new KeelError('E_TOO_LARGE', `${this.path} needs more than the ${limitMb} MB of memory Keel gives the PDF reader (${what}): the file is damaged or built to exhaust memory`, {
          cause: error,
          details: { mupdfMessage: message, heapLimitBytes: MUPDF_HEAP_LIMIT_BYTES },
        });
      }
      if (/out of memory|malloc|cannot allocate/i.test(message)) {
        throw new KeelError('E_OUT_OF_MEMORY', `mupdf ran out of memory on ${what} of ${this.path}: ${message}`, { cause: error });
      }
      throw new KeelError('E_DAMAGED', `${this.path} is damaged or unreadable (${what}): ${message}`, {
        cause: error,
        details: { mupdfMessage: message },
      });
    } finally {
      activeSink = previous;
    }
  }

  private throwIfIoError(): void {
    const ioError = this.handle.ioError;
    if (ioError) throw new KeelError('E_IO', `reading ${this.path} failed: ${ioError.message}`, { cause: ioError });
  }
}

/**
 * A repaired file can list pages whose objects were lost (truncated download): mupdf then hands back
 * an empty page rather than failing, which would be OCR'd as blank. Treat it as damage instead.
 */
function assertPageExists(page: mupdf.Page, index: number, path: string): void {
  if (!(page instanceof mupdf.PDFPage)) return;
  const object = page.getObject();
  try {
    if (!object.isDictionary()) {
      throw new KeelError('E_DAMAGED', `${path} is damaged: page ${index + 1} is missing from the file (truncated?)`, {
        details: { page: index + 1 },
      });
    }
  } finally {
    object.destroy();
  }
}

/**
 * Largest band of a page that mupdf draws at a time (bytes of gray pixmap). mupdf's WASM heap never
 * shrinks, and drawing a whole scanned page at once grows it to several times the page's pixels: a
 * 241-DPI CCITT deed page took the heap to 85 MB at 300 DPI and 141 MB at 400 DPI, and its worker past
 * the hard limit. Drawn in bands of 2 MB the same page needs 26 and 32 MB; over every dev deed page,
 * 38 MB against 102 (300 DPI) and 153 (400 DPI), for ~70 and ~140 ms more per page against seconds
 * of OCR (`npm run bench:render`; 4 MB bands: 56 MB, ~25 ms less a page).
 * The bands are not bit-identical to one whole draw: mupdf's scaler places an image's samples
 * relative to the clip, so rows below the first band move by a fraction of a pixel (gray values off
 * by up to ~20 on ~6% of the pixels). It is the same page at the same resolution.
 */
const BAND_BYTES = 2 * 1024 * 1024;
/** Fewer rows than this per band only adds passes over the page's content. */
const MIN_BAND_ROWS = 64;

/**
 * Draws the page at `matrix` into an 8-bit gray raster (white background, no padding), a band of rows
 * at a time, so mupdf holds one band's pixmap and the band's share of each image instead of the page.
 */
export function renderInBands(page: mupdf.Page, matrix: mupdf.Matrix): GrayImage {
  // The same pixel box mupdf gives a whole-page pixmap (fz_round_rect of the transformed bounds).
  const [bx0, by0, bx1, by1] = mupdf.Rect.transform(page.getBounds(), matrix);
  const x0 = Math.floor(bx0 + 0.001);
  const y0 = Math.floor(by0 + 0.001);
  const width = Math.ceil(bx1 - 0.001) - x0;
  const height = Math.ceil(by1 - 0.001) - y0;
  if (!(width > 0 && height > 0)) throw new Error(`the page renders to an empty ${width}x${height} pixel box`);
  const pixels = new Uint8Array(width * height);
  const bandRows = Math.max(MIN_BAND_ROWS, Math.floor(BAND_BYTES / width));
  for (let top = 0; top < height; top += bandRows) {
    const rows = Math.min(bandRows, height - top);
    const band = new mupdf.Pixmap(mupdf.ColorSpace.DeviceGray, [x0, y0 + top, x0 + width, y0 + top + rows], false);
    try {
      band.clear(255);
      const device = new mupdf.DrawDevice(mupdf.Matrix.identity, band);
      try {
        page.run(device, matrix);
        device.close();
      } finally {
        device.destroy();
      }
      copyBand(band, pixels, width, top, rows);
    } finally {
      band.destroy();
    }
  }
  return { width, height, pixels };
}

/**
 * One whole-page draw, as mupdf's `toPixmap` makes it: what the page source did before it drew in
 * bands. Kept as the baseline that `npm run bench:render` and the band test measure bands against.
 */
export function renderWhole(page: mupdf.Page, matrix: mupdf.Matrix): GrayImage {
  const pixmap = page.toPixmap(matrix, mupdf.ColorSpace.DeviceGray, false);
  try {
    const width = pixmap.getWidth();
    const height = pixmap.getHeight();
    const pixels = new Uint8Array(width * height);
    copyBand(pixmap, pixels, width, 0, height);
    return { width, height, pixels };
  } finally {
    pixmap.destroy();
  }
}

/** Copies a band pixmap out of the WASM heap (its pixel view dies when the heap grows), dropping row padding. */
function copyBand(band: mupdf.Pixmap, into: Uint8Array, width: number, top: number, rows: number): void {
  const stride = band.getStride();
  if (band.getNumberOfComponents() !== 1 || band.getAlpha() || band.getWidth() !== width || band.getHeight() !== rows) {
    throw new Error(`expected a ${width}x${rows} 1-channel gray band, got ${band.getWidth()}x${band.getHeight()} n=${band.getNumberOfComponents()} alpha=${band.getAlpha()}`);
  }
  const view = band.getPixels();
  if (stride === width) {
    into.set(new Uint8Array(view.buffer, view.byteOffset, width * rows), top * width);
  } else {
    for (let y = 0; y < rows; y++) into.set(new Uint8Array(view.buffer, view.byteOffset + y * stride, width), (top + y) * width);
  }
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}
