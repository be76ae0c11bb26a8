import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorker, OEM, type RecognizeOptions as TesseractRecognizeOptions, type Worker } from 'tesseract.js';
import { KeelError } from '../core/errors.js';
import { encodePgm, type GrayImage } from '../pdf/gray-image.js';
import { BLOCK_PSM, type OcrEngine, type OcrResult, type RecognizeOptions } from './engine.js';
import { normalizeContrast } from './preprocess.js';
import { ocrQuality } from './quality.js';
import { parseTesseractTsv, wordsToText } from './tsv.js';

/**
 * tesseract.js (tesseract compiled to WASM) with the LSTM `best_int` English model shipped in
 * @tesseract.js-data/eng: works wherever Node does, no system packages. One worker thread is created
 * on first use and reused for every page. Its WASM heap only grows and is not returned even when the
 * worker is terminated (measured: process RSS plateau 410-450 MB on 300-DPI deed pages, still 420 MB
 * after close()), so the process running it must be recycled by the pool; this engine cannot help.
 */
export interface WasmTesseractOptions {
  /** Fail a page (and restart the worker) after this long. Default 180 s. */
  timeoutMs?: number;
  /** Folder holding eng.traineddata.gz. Default: the 4.0.0_best_int folder of @tesseract.js-data/eng. */
  langPath?: string;
  /** Stretch dark, low-contrast pages before OCR (see preprocess.ts). Default true. */
  normalizeContrast?: boolean;
  /** Page segmentation mode. Default 3 (fully automatic). */
  psm?: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;

/** Locates the bundled best_int model through Node's resolver (works wherever node_modules is). */
export function bundledLangPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

/**
 * The guarded worker entry, compiled next to this file. Run from TypeScript sources (tsx) it does not
 * exist as .js and a worker thread cannot load .ts, so tesseract.js's own entry is used unguarded:
 * only the compiled build, which is what Keel ships and tests, carries the offline guard.
 */
function offlineWorkerPath(): string | undefined {
  const js = join(dirname(fileURLToPath(import.meta.url)), 'tesseract-wasm-worker.js');
  return existsSync(js) ? js : undefined;
}

export function createWasmEngine(options: WasmTesseractOptions = {}): OcrEngine {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const langPath = options.langPath ?? bundledLangPath();
  const psm = String(options.psm ?? 3);
  const prepare = options.normalizeContrast === false ? (image: GrayImage) => image : normalizeContrast;
  let worker: Promise<Worker> | undefined;
  let closed = false;

  /** Set when the worker thread dies (WASM abort, thread exit), failing the page in flight at once. */
  let died: Promise<never> | undefined;

  const start = (): Promise<Worker> =>
    new Promise<Worker>((resolve, reject) => {
      const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(langPath);
      if (!isUrl && !existsSync(join(langPath, 'eng.traineddata.gz'))) {
        reject(new KeelError('E_OCR_UNAVAILABLE', `tesseract.js language data not found: ${join(langPath, 'eng.traineddata.gz')}`));
        return;
      }
      const failStart = (error: unknown) =>
        reject(new KeelError('E_OCR_UNAVAILABLE', `tesseract.js failed to start: ${describe(error)}`, { cause: error }));
      let started = false;
      const workerPath = offlineWorkerPath();
      createWorker('eng', OEM.LSTM_ONLY, {
        ...(workerPath ? { workerPath } : {}),
        langPath,
        cacheMethod: 'none', // never read or write a traineddata cache in the working directory
        gzip: true,
        logger: () => undefined,
        // Without a handler tesseract.js throws job errors from a message listener (an uncaught
        // exception); a failed start would also leave createWorker pending forever.
        errorHandler: (error: unknown) => {
          if (!started) failStart(error);
        },
      })
        .then(async (w) => {
          started = true;
          const thread = (w as unknown as { worker?: NodeJS.EventEmitter }).worker;
          died = new Promise<never>((_, rejectDeath) => {
            const dead = (why: string) => rejectDeath(new KeelError('E_OCR_FAILED', `the tesseract.js worker thread died: ${why}`));
            thread?.on('error', (error: Error) => dead(error.message));
            thread?.on('exit', (code: number) => dead(`exit code ${code}`));
          });
          died.catch(() => undefined); // only observed while a page is in flight
          // debug_file: tesseract's chatter ("Detected 19 diacritics") would otherwise go to stdout.
          await w.setParameters({ tessedit_pageseg_mode: psm as never, debug_file: '/dev/null' });
          resolve(w);
        })
        .catch(failStart);
    });

  const stop = async (): Promise<void> => {
    const current = worker;
    worker = undefined;
    died = undefined;
    if (current) await current.then((w) => w.terminate()).catch(() => undefined);
  };

  return {
    name: 'wasm',
    async recognize(image: GrayImage, recognizeOptions: RecognizeOptions = {}): Promise<OcrResult> {
      if (closed) throw new Error('wasm OCR engine is closed');
      worker ??= start();
      const w = await worker.catch((error: unknown) => {
        worker = undefined; // let the next page try again
        throw error;
      });
      // tesseract.js passes unknown recognize options to tesseract as parameters for this page only.
      const pageParams: Record<string, string> = {};
      if (image.dpi) pageParams.user_defined_dpi = String(Math.round(image.dpi));
      if (recognizeOptions.layout === 'block') pageParams.tessedit_pageseg_mode = String(BLOCK_PSM);
      const params = pageParams as Partial<TesseractRecognizeOptions>;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new KeelError('E_OCR_TIMEOUT', `tesseract.js took longer than ${timeoutMs} ms on one page`, { details: { timeoutMs } })), timeoutMs);
      });
      try {
        const pending = [w.recognize(encodePgm(prepare(image)), params, { text: false, tsv: true }), timeout];
        const result = await Promise.race(died ? [...pending, died] : pending);
        const words = parseTesseractTsv(result.data.tsv ?? '');
        const text = wordsToText(words);
        const { quality, meanConfidence } = ocrQuality(words, text);
        return meanConfidence === undefined ? { text, quality, words } : { text, quality, meanConfidence, words };
      } catch (error) {
        if (error instanceof KeelError) {
          await stop(); // a stuck worker cannot be interrupted; start a fresh one for the next page
          throw error;
        }
        throw new KeelError('E_OCR_FAILED', `tesseract.js failed on a page: ${describe(error)}`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },
    async close(): Promise<void> {
      closed = true;
      await stop();
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
