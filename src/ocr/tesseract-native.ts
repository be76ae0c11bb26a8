import { spawn, type ChildProcess } from 'node:child_process';
import { KeelError } from '../core/errors.js';
import { pgmHeader, type GrayImage } from '../pdf/gray-image.js';
import { BLOCK_PSM, type OcrEngine, type OcrResult, type RecognizeOptions } from './engine.js';
import { normalizeContrast } from './preprocess.js';
import { ocrQuality } from './quality.js';
import { parseTesseractTsv, wordsToText } from './tsv.js';

/**
 * The system `tesseract` binary (Debian tesseract-ocr 5.x), one process per page. A process per page
 * costs ~0.1 s of CPU to start (loading the model) but returns all of its memory (75-96 MB on real
 * 300-DPI deed pages) at exit, and a stuck page can be killed without touching anything else. The image goes in on stdin as PGM and TSV comes back
 * on stdout: no temporary files.
 */
export interface NativeTesseractOptions {
  /** Binary to run. Default: 'tesseract' from PATH. */
  binary?: string;
  /** Kill the page's process after this long. Default 120 s. */
  timeoutMs?: number;
  /** Language(s), as for `tesseract -l`. Default 'eng'. */
  language?: string;
  /** Stretch dark, low-contrast pages before OCR (see preprocess.ts). Default true. */
  normalizeContrast?: boolean;
  /** Page segmentation mode. Default 3 (fully automatic), right for whole deed pages. */
  psm?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const STDERR_KEEP = 4000;
const availability = new Map<string, Promise<boolean>>();

/** True when `binary --list-langs` runs and lists the language. Cached per binary and language. */
export function isNativeTesseractAvailable(binary = 'tesseract', language = 'eng'): Promise<boolean> {
  const key = `${binary}\0${language}`;
  let known = availability.get(key);
  if (!known) {
    known = probe(binary, language);
    availability.set(key, known);
  }
  return known;
}

function probe(binary: string, language: string): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    let child: ChildProcess;
    try {
      child = spawn(binary, ['--list-langs'], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      resolve(false);
      return;
    }
    // unref: a hung probe must neither block the answer forever nor keep the process alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, 10_000).unref();
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const langs = out.split('\n').map((line) => line.trim());
      resolve(code === 0 && language.split('+').every((lang) => langs.includes(lang)));
    });
  });
}

export function createNativeEngine(options: NativeTesseractOptions = {}): OcrEngine {
  const binary = options.binary ?? 'tesseract';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const language = options.language ?? 'eng';
  const psm = options.psm ?? 3;
  const prepare = options.normalizeContrast === false ? (image: GrayImage) => image : normalizeContrast;
  const running = new Set<ChildProcess>();
  let closed = false;

  return {
    name: 'native',
    async recognize(image: GrayImage, recognizeOptions: RecognizeOptions = {}): Promise<OcrResult> {
      if (closed) throw new Error('native OCR engine is closed');
      const pageSegmentation = recognizeOptions.layout === 'block' ? BLOCK_PSM : psm;
      const args = ['stdin', 'stdout', '-l', language, '--oem', '1', '--psm', String(pageSegmentation)];
      // Telling tesseract the real resolution skips its estimate (which is often wrong on sparse pages).
      if (image.dpi) args.push('--dpi', String(Math.round(image.dpi)));
      args.push('tsv');
      // Header and pixels go down the pipe one after the other: no second copy of a 10-20 MB page.
      const prepared = prepare(image);
      const tsv = await run(binary, args, [pgmHeader(prepared), prepared.pixels], timeoutMs, running);
      const words = parseTesseractTsv(tsv);
      const text = wordsToText(words);
      const { quality, meanConfidence } = ocrQuality(words, text);
      return meanConfidence === undefined ? { text, quality, words } : { text, quality, meanConfidence, words };
    },
    async close(): Promise<void> {
      closed = true;
      for (const child of running) child.kill('SIGKILL');
      running.clear();
    },
  };
}

function run(binary: string, args: string[], input: readonly Uint8Array[], timeoutMs: number, running: Set<ChildProcess>): Promise<string> {
  return new Promise((resolve, reject) => {
    // One OpenMP thread: Keel runs one page per core itself; tesseract's own threads only contend.
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
    running.add(child);
    const stdout: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    // If tesseract dies before reading all of stdin, the write fails with EPIPE; the exit code tells the story.
    child.stdin.on('error', () => undefined);
    for (const piece of input.slice(0, -1)) child.stdin.write(piece);
    child.stdin.end(input[input.length - 1]);

    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      running.delete(child);
      if (error.code === 'ENOENT') reject(new KeelError('E_OCR_UNAVAILABLE', `tesseract binary not found: ${binary}`, { cause: error }));
      else reject(new KeelError('E_OCR_FAILED', `could not run ${binary}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (timedOut) {
        reject(new KeelError('E_OCR_TIMEOUT', `tesseract took longer than ${timeoutMs} ms on one page and was killed`, { details: { timeoutMs } }));
      } else if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
      } else {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new KeelError('E_OCR_FAILED', `tesseract ${why}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`, {
          details: { code, signal, stderr: stderr.trim() },
        }));
      }
    });
  });
}
