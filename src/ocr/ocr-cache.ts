import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * OCR text cached on disk by (file content hash, page, reading variant: the engine and its render
 * settings), so running the same file again with another mode or policy costs no OCR. One small JSON file per page; written atomically (temp file
 * then rename) so a worker killed mid-write never leaves a torn entry.
 */

export interface CachedOcr {
  text: string;
  quality: number;
  meanConfidence?: number;
  dpi: number;
  /** Lines a block-layout reading added because the first reading missed them (see src/ocr/missed-text.ts). */
  addedLines?: number;
}

export function defaultOcrCacheDir(): string {
  return process.env.KEEL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'keel', 'ocr');
}

export class OcrCache {
  constructor(private readonly directory: string) {}

  private entryPath(fileHash: string, page: number, variant: string): string {
    return join(this.directory, fileHash.slice(0, 2), fileHash, `${variant}-p${page}.json`);
  }

  get(fileHash: string, page: number, variant: string): CachedOcr | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.entryPath(fileHash, page, variant), 'utf8')) as CachedOcr;
      return typeof entry.text === 'string' && typeof entry.quality === 'number' ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  put(fileHash: string, page: number, variant: string, entry: CachedOcr): void {
    const path = this.entryPath(fileHash, page, variant);
    try {
      mkdirSync(join(path, '..'), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(entry));
      renameSync(temporary, path);
    } catch {
      // A cache that cannot be written (read-only disk, full disk) only costs speed next time.
    }
  }
}
